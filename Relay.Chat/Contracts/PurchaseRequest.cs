using MessagePack;

namespace Relay.Chat.Contracts;

// A wire shape of the hub: see JoinSnapshot.cs for why keys are spelled out.

[MessagePackObject]
public sealed class PurchaseRequest
{
    [Key("sku")] public string? Sku { get; set; }
    [Key("quantity")] public int Quantity { get; set; }
    [Key("idempotencyKey")] public string? IdempotencyKey { get; set; }
    /// <summary>A coupon this buyer claimed (v2): used by this purchase, at most once.</summary>
    [Key("couponId")] public string? CouponId { get; set; }
}
