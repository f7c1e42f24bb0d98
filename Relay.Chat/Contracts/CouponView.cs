using MessagePack;

namespace Relay.Chat.Contracts;

// A wire shape of the hub: see JoinSnapshot.cs for why keys are spelled out.

/// <summary>The `coupon` event and an entry of the Join snapshot's `coupons`: one of <see cref="DiscountCents"/> and
/// <see cref="PercentOff"/> is set; <see cref="Sku"/> null = any product.</summary>
[MessagePackObject]
public sealed class CouponView
{
    [Key("couponId")] public string CouponId { get; set; } = "";
    [Key("discountCents")] public long? DiscountCents { get; set; }
    [Key("percentOff")] public int? PercentOff { get; set; }
    [Key("minSpendCents")] public long MinSpendCents { get; set; }
    [Key("sku")] public string? Sku { get; set; }
    [Key("remaining")] public int Remaining { get; set; }
    /// <summary>UTC: claims end then.</summary>
    [Key("endsAt")] public DateTime EndsAt { get; set; }
    [Key("quantity")] public int Quantity { get; set; }
    [Key("perBuyer")] public int PerBuyer { get; set; }
    /// <summary>The currency of <see cref="DiscountCents"/> and <see cref="MinSpendCents"/> (the line-up's).</summary>
    [Key("currency")] public string Currency { get; set; } = "";
    /// <summary>The room's event sequence number (contract v2); 0 in a snapshot.</summary>
    [Key("seq")] public long Seq { get; set; }
}
