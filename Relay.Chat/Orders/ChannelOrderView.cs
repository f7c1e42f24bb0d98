using System.Text.Json.Serialization;

namespace Relay.Chat.Orders;

/// <summary>An order as the relay knows it, in <c>GET /api/v1/channels/{id}/orders</c>.</summary>
public sealed record ChannelOrderView(
    string OrderId,
    string Status,
    string Sku,
    int Quantity,
    long UnitPriceCents,
    string Currency,
    string BuyerId,
    string? Referrer,
    DateTimeOffset CreatedAt,
    bool FlashSale,
    int Attempts,
    string? LastError,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? CouponId = null,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] long? DiscountCents = null)
{
    /// <summary>Sold at the member price (v2).</summary>
    public bool MemberPrice { get; init; }

    public static ChannelOrderView Of(OrderRecord o) => new(
        o.OrderId, o.Status, o.Sku, o.Quantity, o.UnitPriceCents, o.Currency, o.BuyerId, o.Referrer, o.CreatedAt, o.FlashSale, o.Attempts, o.LastError,
        o.CouponId, o.CouponId is null ? null : o.DiscountCents) { MemberPrice = o.MemberPrice };
}
