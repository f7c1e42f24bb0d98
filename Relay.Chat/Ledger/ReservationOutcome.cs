namespace Relay.Chat.Ledger;

/// <summary>Remaining counts are read inside the reserving transaction; <see cref="Sequence"/> orders them.</summary>
public sealed record ReservationOutcome(ReservationKind Kind, string? OrderId, int? FlashRemaining, int? LineupRemaining, long Sequence,
    BuyerLimit Limit = BuyerLimit.None, long DiscountCents = 0, string? CouponProblem = null);
