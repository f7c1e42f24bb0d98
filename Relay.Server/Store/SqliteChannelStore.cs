using System.Data.Common;
using System.Globalization;
using Microsoft.AspNetCore.DataProtection;
using Relay.Common.Storage;

namespace Relay.Server.Store;

/// <summary>
/// Channels in the embedded SQLite file (the rules are <see cref="RelationalChannelStore"/>'s). Stream keys, host keys
/// and destination keys are encrypted with ASP.NET Data Protection (key ring under DataDir/keys) before they touch disk.
/// </summary>
public sealed class SqliteChannelStore(SqliteDatabase db, IDataProtectionProvider protection) : RelationalChannelStore(protection)
{
    public override Task MigrateAsync(CancellationToken ct) => db.MigrateAsync(ChannelsSchema.Definition, ct);

    public override async Task<bool> CanReadAndWriteAsync(CancellationToken ct)
    {
        await using var c = await db.OpenAsync(ct);
        // A write that is rolled back proves the file and its WAL are writable without changing anything.
        await using var cmd = Command(c, null, "BEGIN IMMEDIATE; SELECT count(*) FROM channels; ROLLBACK;");
        await cmd.ExecuteScalarAsync(ct);
        return true;
    }

    protected override async Task<DbConnection> OpenConnectionAsync(CancellationToken ct) => await db.OpenAsync(ct);

    // ISO 8601 round-trip text, as rows have always been stored (it sorts in time order).
    protected override object CreatedAtValue(DateTimeOffset createdAt) => createdAt.ToString("O");

    protected override DateTimeOffset ReadCreatedAt(DbDataReader reader, int ordinal) =>
        DateTimeOffset.Parse(reader.GetString(ordinal), CultureInfo.InvariantCulture);
}
