using System.Text.Json.Serialization;

namespace Relay.Chat.Orders;

/// <summary>The JSON body of `POST {Orders:Endpoint}` (CONTRACT.md "Order API"), camelCase on the wire. <c>couponId</c> and
/// <c>discountCents</c> (v2) are written only for an order that used a coupon.</summary>
public sealed record OrderApiRequest(
    string OrderId, string ChannelId, string Sku, int Quantity, long UnitPriceCents, string Currency,
    string BuyerId, string BuyerName, string? Referrer, bool FlashSale, DateTimeOffset PlacedAt,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? CouponId = null,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] long? DiscountCents = null,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? DrawId = null)
{
    /// <summary>`true` when the unit price is the member price (v2); absent otherwise.</summary>
    [System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull)]
    public bool? MemberPrice { get; init; }

    public static OrderApiRequest From(OrderRecord o) => new(
        o.OrderId, Ledger.ArchivedChannelId.Original(o.ChannelId), o.Sku, o.Quantity, o.UnitPriceCents, o.Currency, o.BuyerId, o.BuyerName, o.Referrer, o.FlashSale, o.CreatedAt,
        o.CouponId, o.CouponId is null ? null : o.DiscountCents, o.DrawId)
    {
        MemberPrice = o.MemberPrice ? true : null,
    };
}
