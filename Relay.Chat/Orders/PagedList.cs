namespace Relay.Chat.Orders;

/// <summary>
/// Endpoint metadata: this list takes <c>?limit=&amp;cursor=</c> (<see cref="ListPage"/>) and then answers
/// <c>{items, nextCursor}</c> instead of the v1 array, so the OpenAPI document can say so.
/// </summary>
public sealed class PagedList
{
    public static readonly PagedList Instance = new();

    private PagedList()
    {
    }
}
