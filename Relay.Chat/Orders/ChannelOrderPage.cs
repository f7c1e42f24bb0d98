namespace Relay.Chat.Orders;

/// <summary>One page of <c>GET /api/v1/channels/{id}/orders?limit=</c>: <c>{items, nextCursor}</c>, the cursor null on
/// the last page.</summary>
public sealed record ChannelOrderPage(IReadOnlyList<ChannelOrderView> Items, string? NextCursor);
