using MessagePack;

namespace Relay.Chat.Contracts;

// A wire shape of the hub: see JoinSnapshot.cs for why keys are spelled out.

/// <summary>`DropCoupon`'s argument: exactly one of <see cref="DiscountCents"/> and <see cref="PercentOff"/>.</summary>
[MessagePackObject]
public sealed class CouponRequest
{
    [Key("discountCents")] public long? DiscountCents { get; set; }
    [Key("percentOff")] public int? PercentOff { get; set; }
    [Key("minSpendCents")] public long? MinSpendCents { get; set; }
    [Key("sku")] public string? Sku { get; set; }
    [Key("quantity")] public int Quantity { get; set; }
    [Key("perBuyer")] public int? PerBuyer { get; set; }
    [Key("durationSeconds")] public int DurationSeconds { get; set; }
}
