using System.Buffers.Text;
using System.Globalization;
using System.Text;

namespace Relay.Chat.Orders;

/// <summary>A position in a list ordered by (time, id): the last item a page ended on. Opaque to clients.</summary>
public sealed record ListCursor(long At, string Id)
{
    public string Encode() => Base64Url.EncodeToString(Encoding.UTF8.GetBytes(At.ToString(CultureInfo.InvariantCulture) + ":" + Id));

    public static ListCursor? TryDecode(string text)
    {
        if (text.Length is 0 or > 512) return null;
        byte[] bytes;
        try
        {
            bytes = Base64Url.DecodeFromChars(text);
        }
        catch (FormatException)
        {
            return null;
        }
        var decoded = Encoding.UTF8.GetString(bytes);
        var colon = decoded.IndexOf(':', StringComparison.Ordinal);
        return colon > 0 && long.TryParse(decoded.AsSpan(0, colon), NumberStyles.None, CultureInfo.InvariantCulture, out var at) && colon < decoded.Length - 1
            ? new ListCursor(at, decoded[(colon + 1)..])
            : null;
    }
}
