namespace Relay.Chat.Orders;

/// <summary>A dead-lettered order in <c>GET /api/v1/dead-letters</c>: the channel it belongs to and the order as its channel lists it.</summary>
public sealed record DeadLetterView(string ChannelId, ChannelOrderView Order)
{
    public static DeadLetterView Of(OrderRecord o) => new(o.ChannelId, ChannelOrderView.Of(o));
}
