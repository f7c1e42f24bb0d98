using System.Buffers.Text;
using System.Globalization;
using System.Text;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;

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

/// <summary>`?limit=&amp;cursor=` of a list that can grow (contract v2): with `limit` the answer is
/// `{items, nextCursor}`, without it the v1 array.</summary>
public sealed record ListPage(int Limit, ListCursor? After)
{
    public const int MaxLimit = 1000;

    /// <summary>null page = no `limit` (v1 shape); a non-null error is the 400 to answer.</summary>
    public static (ListPage? Page, ValidationProblem? Error) Read(HttpRequest request)
    {
        var limitText = request.Query["limit"];
        var cursorText = request.Query["cursor"];
        if (limitText.Count == 0)
            return cursorText.Count == 0 ? (null, null) : (null, Invalid("limit", "is required with cursor"));
        if (limitText.Count > 1 || !int.TryParse(limitText[0], NumberStyles.None, CultureInfo.InvariantCulture, out var limit) || limit is < 1 or > MaxLimit)
            return (null, Invalid("limit", $"must be a whole number from 1 to {MaxLimit}"));
        if (cursorText.Count == 0) return (new ListPage(limit, null), null);
        if (cursorText.Count > 1 || ListCursor.TryDecode(cursorText[0] ?? "") is not { } after)
            return (null, Invalid("cursor", "is not a cursor this list returned"));
        return (new ListPage(limit, after), null);
    }

    private static ValidationProblem Invalid(string field, string message) =>
        TypedResults.ValidationProblem(new Dictionary<string, string[]> { [field] = [message] }, title: $"Invalid {field}.");
}
