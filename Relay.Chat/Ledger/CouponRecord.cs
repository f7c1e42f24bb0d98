namespace Relay.Chat.Ledger;

/// <summary>A coupon as dropped: exactly one of <paramref name="DiscountCents"/> and <paramref name="PercentOff"/>;
/// <paramref name="Sku"/> null = any product; <paramref name="Remaining"/> = claims still open (the ledger's count when
/// read, only ever going down).</summary>
public sealed record CouponRecord(
    string CouponId, string ChannelId, long? DiscountCents, int? PercentOff, long MinSpendCents, string? Sku, string Currency,
    int Quantity, int Remaining, int PerBuyer, DateTimeOffset EndsAt)
{
    /// <summary>What the coupon takes off <paramref name="subtotalCents"/>: the amount or floor(percent x subtotal / 100),
    /// never more than the subtotal.</summary>
    public long DiscountOn(long subtotalCents) =>
        Math.Min(subtotalCents, DiscountCents ?? (PercentOff is { } percent ? subtotalCents * percent / 100 : 0));
}
