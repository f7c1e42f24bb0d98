using MessagePack;

namespace Relay.Chat.Contracts;

// A wire shape of the hub: see JoinSnapshot.cs for why keys are spelled out.

[MessagePackObject]
public sealed class PurchaseResult
{
    /// <summary>`reserved`, `sold_out`, `not_on_sale`, `limit_exceeded`, `login_required`, `invalid`.</summary>
    [Key("status")] public string Status { get; set; } = "";
    [Key("orderId")] public string? OrderId { get; set; }
    [Key("reason")] public string? Reason { get; set; }
    /// <summary>v2, with `reserved`: the unit price the order was reserved at.</summary>
    [Key("unitPriceCents")] public long? UnitPriceCents { get; set; }
    /// <summary>v2, with `reserved`: what the coupon took off the order (0 without one).</summary>
    [Key("discountCents")] public long? DiscountCents { get; set; }
    /// <summary>True when <see cref="UnitPriceCents"/> is the line-up item's member price (v2).</summary>
    [Key("memberPrice")] public bool? MemberPrice { get; set; }
}
