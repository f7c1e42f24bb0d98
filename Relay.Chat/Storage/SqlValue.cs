using System.Globalization;

namespace Relay.Chat.Storage;

/// <summary>Column values as the stores read them: SQLite answers every integer as <c>long</c>, PostgreSQL as
/// <c>int</c>, <c>long</c> or <c>decimal</c> (a SUM), so reads convert instead of casting.</summary>
internal static class SqlValue
{
    public static long Long(object? value) => Convert.ToInt64(value, CultureInfo.InvariantCulture);

    public static long? NullableLong(object? value) => value is null ? null : Long(value);

    public static int Int(object? value) => Convert.ToInt32(value, CultureInfo.InvariantCulture);

    public static string? Text(object? value) => value as string;
}
