namespace Relay.Chat.Ledger;

/// <summary>
/// Coupons and their claims, durable. A claim is a conditional update (<c>remaining >= 1</c>, the buyer's claims below
/// <c>perBuyer</c>) group-committed like reservations, so claims never exceed the quantity on one node or across nodes.
/// A claim is used by a purchase inside the purchase's reservation (<see cref="ReservationRequest.CouponId"/>).
/// </summary>
public interface ICouponLedger
{
    Task DropCouponAsync(CouponRecord coupon, CancellationToken cancellationToken);

    /// <summary>Group-committed: the answer comes after the commit.</summary>
    Task<CouponClaimOutcome> ClaimCouponAsync(CouponClaim claim, CancellationToken cancellationToken);

    /// <summary>The channel's coupons still open for claims at <paramref name="now"/>, with their counts.</summary>
    Task<IReadOnlyList<CouponRecord>> FindActiveCouponsAsync(string channelId, DateTimeOffset now, CancellationToken cancellationToken);
}
