namespace Relay.Chat.Orders;

/// <summary>An order waiting for (or delivered to) the order API.</summary>
public sealed record OrderRecord(
    string OrderId, string ChannelId, string Sku, int Quantity, long UnitPriceCents, string Currency,
    string BuyerId, string BuyerName, string? Referrer, bool FlashSale, string Status, int Attempts,
    string? LastError, DateTimeOffset CreatedAt, string? CouponId = null, long DiscountCents = 0, string? DrawId = null)
{
    /// <summary>Sold at the line-up item's member price (v2).</summary>
    public bool MemberPrice { get; init; }
}
