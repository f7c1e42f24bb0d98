using System.Globalization;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Relay.Chat.Orders;

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
