namespace Relay.Chat.Ledger;

/// <summary>What the ledger answered a claim, after its commit; <paramref name="Remaining"/> is the coupon's count read in
/// that transaction (-1 when the coupon is unknown).</summary>
public sealed record CouponClaimOutcome(CouponClaimKind Kind, int Remaining);
