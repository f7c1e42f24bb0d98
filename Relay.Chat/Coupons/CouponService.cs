using Microsoft.Extensions.Options;
using Relay.Chat.Configuration;
using Relay.Chat.Contracts;
using Relay.Chat.Diagnostics;
using Relay.Chat.Identity;
using Relay.Chat.Ledger;
using Relay.Chat.Rooms;

namespace Relay.Chat.Coupons;

/// <summary>
/// Coupons (docs/live-room.md, "Coupons"): a host drops one (the ledger keeps it, the room bus tells every node), viewers
/// claim it (a group-committed conditional update in the ledger: never more claims than the quantity, on one node or
/// many; `claimed` only after the commit), and the room shows what is left, paced. A purchase uses a claim in its own
/// reservation (<see cref="ReservationRequest.CouponId"/>).
/// </summary>
internal sealed class CouponService(
    LiveRoomRegistry registry,
    RoomEvents events,
    ICouponLedger ledger,
    CouponPublisher publisher,
    IOptions<CommerceOptions> options,
    TimeProvider time,
    RoomCues cues)
{
    public const int MinDurationSeconds = 10;
    public const int MaxDurationSeconds = 3600;
    public const int MaxQuantity = 100_000;
    public const int MaxPercentOff = 90;
    public const int MaxPerBuyer = 100;
    private const long MaxCents = 1_000_000_000_00;

    public async Task<CouponView> DropAsync(ConnectionSession session, CouponRequest? request, CancellationToken cancellationToken)
    {
        var (room, _) = registry.Moderator(session);
        if (request is null)
            throw Invalid("a {discountCents | percentOff, minSpendCents?, sku?, quantity, perBuyer?, durationSeconds} object is required");
        if (request.DiscountCents is null == request.PercentOff is null)
            throw Invalid("discountCents or percentOff: give exactly one");
        if (request.DiscountCents is { } amount && (amount < 1 || amount > MaxCents))
            throw Invalid($"discountCents must be between 1 and {MaxCents}");
        if (request.PercentOff is { } percent && (percent < 1 || percent > MaxPercentOff))
            throw Invalid($"percentOff must be between 1 and {MaxPercentOff}");
        if (request.MinSpendCents is { } min && (min < 0 || min > MaxCents))
            throw Invalid($"minSpendCents must be between 0 and {MaxCents}");
        if (request.Quantity < 1 || request.Quantity > MaxQuantity)
            throw Invalid($"quantity must be between 1 and {MaxQuantity}");
        var perBuyer = request.PerBuyer ?? 1;
        if (perBuyer < 1 || perBuyer > MaxPerBuyer)
            throw Invalid($"perBuyer must be between 1 and {MaxPerBuyer}");
        if (request.DurationSeconds < MinDurationSeconds || request.DurationSeconds > MaxDurationSeconds)
            throw Invalid($"durationSeconds must be between {MinDurationSeconds} and {MaxDurationSeconds}");
        string currency;
        if (request.Sku is { } sku)
        {
            if (sku.Length == 0 || sku.Length > RoomService.MaxIdLength) throw Invalid("sku must be a product of the line-up, or left out for any");
            currency = (room.FindProduct(sku) ?? throw Invalid("sku is not in the line-up")).Currency;
        }
        else
        {
            currency = room.LineupCurrency() ?? throw Invalid("sku: the line-up is empty, so a coupon has nothing to apply to");
        }

        var now = time.GetUtcNow();
        var stamp = cues.Stamp(room.ChannelId);
        var coupon = new CouponRecord("cp_" + Guid.NewGuid().ToString("N"), room.ChannelId, request.DiscountCents, request.PercentOff,
            request.MinSpendCents ?? 0, request.Sku, currency, request.Quantity, request.Quantity, perBuyer, now.AddSeconds(request.DurationSeconds));
        await ledger.DropCouponAsync(coupon, cancellationToken);
        await events.PublishAsync(new RoomEvent { ChannelId = room.ChannelId, Kind = RoomEventKind.CouponDropped, Coupon = coupon }, cancellationToken);
        await cues.CueAsync(room.ChannelId, stamp, CueKinds.Coupon, coupon.CouponId);
        return new CouponView
        {
            CouponId = coupon.CouponId, DiscountCents = coupon.DiscountCents, PercentOff = coupon.PercentOff, MinSpendCents = coupon.MinSpendCents,
            Sku = coupon.Sku, Remaining = coupon.Remaining, EndsAt = coupon.EndsAt.UtcDateTime, Quantity = coupon.Quantity, PerBuyer = coupon.PerBuyer,
            Currency = coupon.Currency,
        };
    }

    public async Task<CouponClaimResult> ClaimAsync(ConnectionSession session, string? couponId, CancellationToken cancellationToken)
    {
        var (room, viewer) = registry.Joined(session);
        var result = await DecideAsync(room, viewer, couponId, cancellationToken);
        ChatMetrics.CouponClaims.WithLabels(room.ChannelId, result.Status).Inc();
        return result;
    }

    private async Task<CouponClaimResult> DecideAsync(LiveRoom room, Participant viewer, string? couponId, CancellationToken cancellationToken)
    {
        if (string.IsNullOrEmpty(couponId) || couponId.Length > RoomService.MaxIdLength)
            return Answer(CouponStatus.Invalid, "couponId is required");
        if (viewer.IsModerator)
            return Answer(CouponStatus.Invalid, "hosts and admins cannot claim coupons; join as a viewer");
        if (viewer.Role == ParticipantRole.Guest && (!options.Value.AllowGuestCheckout || options.Value.CouponsRequireLogin))
            return Answer(CouponStatus.LoginRequired, "sign in to claim coupons");
        // The room knows every coupon of the channel (the bus tells every node); an unknown id never reaches the ledger.
        if (room.FindCoupon(couponId) is not { } coupon)
            return Answer(CouponStatus.Invalid, "couponId is not a coupon of this show");
        var now = time.GetUtcNow();
        if (coupon.EndsAt <= now) return Answer(CouponStatus.Expired, "the coupon has ended");
        // Claims only ever take, so a count of 0 the ledger gave is final: refused in memory.
        if (coupon.Remaining <= 0) return Answer(CouponStatus.Gone, "none left");

        var outcome = await ledger.ClaimCouponAsync(new CouponClaim(room.ChannelId, couponId, viewer.UserId, now), cancellationToken);
        if (outcome.Remaining >= 0)
        {
            room.ApplyCouponCount(couponId, outcome.Remaining);
            if (outcome.Kind == CouponClaimKind.Claimed) publisher.MarkDirty(room, couponId);
        }
        return outcome.Kind switch
        {
            CouponClaimKind.Claimed => Answer(CouponStatus.Claimed, null),
            CouponClaimKind.Gone => Answer(CouponStatus.Gone, "none left"),
            CouponClaimKind.Expired => Answer(CouponStatus.Expired, "the coupon has ended"),
            CouponClaimKind.LimitExceeded => Answer(CouponStatus.LimitExceeded, $"at most {coupon.PerBuyer} per viewer"),
            _ => Answer(CouponStatus.Invalid, "couponId is not a coupon of this show"),
        };
    }

    private static CouponClaimResult Answer(string status, string? reason) => new() { Status = status, Reason = reason };

    private static Microsoft.AspNetCore.SignalR.HubException Invalid(string detail) => Refusal.Create(Refusal.Invalid, detail);
}
