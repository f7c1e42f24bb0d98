using Microsoft.Extensions.Options;
using Relay.Chat.Configuration;
using Relay.Chat.Contracts;
using Relay.Chat.Diagnostics;
using Relay.Chat.Identity;
using Relay.Chat.Ledger;
using Relay.Chat.Merchandising;
using Relay.Chat.Orders;
using Relay.Chat.Rooms;

namespace Relay.Chat.Purchases;

/// <summary>Validates a purchase, reserves it in the ledger (stock + outbox in one step, group-committed) and wakes the
/// dispatcher. A purchase the room already knows is sold out is refused in memory.</summary>
internal sealed class PurchaseService(
    LiveRoomRegistry registry,
    IStockLedger ledger,
    RoomStock stock,
    OrderDispatchSignal dispatch,
    IOptions<CommerceOptions> options,
    TimeProvider time)
{
    private const int MaxIdempotencyKeyLength = 128;

    /// <summary>How long a sold-out count from the ledger is trusted without asking the database again
    /// (see <see cref="LiveRoom.Offer"/>).</summary>
    internal static readonly TimeSpan SoldOutCacheWindow = TimeSpan.FromSeconds(1);

    public async Task<PurchaseResult> PurchaseAsync(ConnectionSession session, PurchaseRequest? request, CancellationToken cancellationToken)
    {
        var (room, participant) = registry.Joined(session);
        var result = await DecideAsync(room, participant, session, request, cancellationToken);
        ChatMetrics.Purchases.WithLabels(room.ChannelId, result.Status).Inc();
        return result;
    }

    private async Task<PurchaseResult> DecideAsync(LiveRoom room, Participant buyer, ConnectionSession session, PurchaseRequest? request, CancellationToken cancellationToken)
    {
        if (request is null) return Refuse(PurchaseStatus.Invalid, "a {sku, quantity, idempotencyKey} object is required");
        if (string.IsNullOrEmpty(request.IdempotencyKey) || request.IdempotencyKey.Length > MaxIdempotencyKeyLength)
            return Refuse(PurchaseStatus.Invalid, $"idempotencyKey is required (at most {MaxIdempotencyKeyLength} characters)");
        if (string.IsNullOrEmpty(request.Sku) || request.Sku.Length > RoomService.MaxIdLength)
            return Refuse(PurchaseStatus.Invalid, "sku is required");
        if (buyer.IsModerator)
            return Refuse(PurchaseStatus.Invalid, "hosts and admins cannot buy; join as a viewer");
        if (buyer.Role == ParticipantRole.Guest && !options.Value.AllowGuestCheckout)
            return Refuse(PurchaseStatus.LoginRequired, "sign in to buy");

        // Same key, same answer: a retried call after a lost reply must not depend on what changed since.
        if (await FindEarlierAsync(room, buyer, session, request.IdempotencyKey, cancellationToken) is { } earlier)
            return new PurchaseResult { Status = PurchaseStatus.Reserved, OrderId = earlier };

        if (request.Quantity < 1)
            return Refuse(PurchaseStatus.Invalid, "quantity must be at least 1");
        if (request.CouponId is { } couponId && (couponId.Length == 0 || couponId.Length > RoomService.MaxIdLength))
            return Refuse(PurchaseStatus.Invalid, "couponId is not a coupon id");
        if (request.Quantity > options.Value.MaxQuantityPerOrder)
            return Refuse(PurchaseStatus.LimitExceeded, $"at most {options.Value.MaxQuantityPerOrder} per order");

        var now = time.GetUtcNow();
        var offer = room.Offer(request.Sku, request.Quantity, now, SoldOutCacheWindow);
        // Any product of the line-up can be bought (contract v2: the bag); the pin and the flash sale only come first on the page.
        if (offer.Product is not { } product) return Refuse(PurchaseStatus.NotOnSale, "sku is not in the line-up");
        var sale = offer.FlashSale;
        // An announced sale (pre-launch) is not open yet: its product is not sold at any price until it starts.
        if (sale is not null && sale.NotStartedAt(now))
            return Refuse(PurchaseStatus.NotOnSale, $"the flash sale starts in {Refusal.Seconds(sale.StartsAt!.Value - now)} s");
        if (sale is not null && buyer.Role == ParticipantRole.Guest && options.Value.FlashSaleRequiresLogin)
            return Refuse(PurchaseStatus.LoginRequired, "sign in to buy in a flash sale");
        // Sold out as far as the ledger said a moment ago: refuse in memory. After a sale sells out this is
        // nearly every purchase, and none of them waits behind the reservations still being written.
        if (offer.KnownSoldOut)
            return Refuse(PurchaseStatus.SoldOut, "no units left");
        // Member prices: a member (a viewer whose token carries a tier) pays the item's member price, unless the flash
        // sale's price is lower still; the lower price always wins, and the order says when it was the member price.
        var price = sale?.PriceCents ?? product.PriceCents;
        var memberPrice = buyer.IsMember && product.MemberPriceCents is { } member && member < price;
        if (memberPrice) price = product.MemberPriceCents!.Value;
        var reservation = new ReservationRequest(
            room.ChannelId, buyer.UserId, buyer.DisplayName, request.IdempotencyKey, request.Sku, request.Quantity,
            price,
            sale?.Currency ?? product.Currency,
            session.Referrer,
            sale?.SaleId,
            offer.LineupLimited,
            now,
            options.Value.MaxUnitsPerBuyerPerSku,
            options.Value.MaxUnitsPerBuyerPerSale,
            request.CouponId) { MemberPrice = memberPrice };

        var outcome = await ledger.ReserveAsync(reservation, cancellationToken);
        switch (outcome.Kind)
        {
            case ReservationKind.Reserved:
                session.RememberReservedKey(buyer.UserId, room.ChannelId, request.IdempotencyKey, outcome.OrderId!);
                stock.Apply(room, request.Sku, outcome.FlashRemaining, outcome.LineupRemaining, reservation.FlashSaleId, outcome.Sequence, offer.StockEpoch);
                dispatch.Notify();
                return new PurchaseResult
                {
                    Status = PurchaseStatus.Reserved, OrderId = outcome.OrderId, UnitPriceCents = reservation.UnitPriceCents, DiscountCents = outcome.DiscountCents,
                    MemberPrice = memberPrice ? true : null,
                };
            case ReservationKind.CouponInvalid:
                return Refuse(PurchaseStatus.Invalid, outcome.CouponProblem ?? "couponId cannot be used");
            case ReservationKind.Duplicate:
                session.RememberReservedKey(buyer.UserId, room.ChannelId, request.IdempotencyKey, outcome.OrderId!);
                return new PurchaseResult { Status = PurchaseStatus.Reserved, OrderId = outcome.OrderId };
            case ReservationKind.SaleOver:
                return Refuse(PurchaseStatus.NotOnSale, "the flash sale has ended");
            case ReservationKind.LimitExceeded:
                return Refuse(PurchaseStatus.LimitExceeded, outcome.Limit == BuyerLimit.PerSale
                    ? $"at most {options.Value.MaxUnitsPerBuyerPerSale} per buyer in a flash sale"
                    : $"at most {options.Value.MaxUnitsPerBuyerPerSku} of this product per buyer");
            default:
                // The counts read while refusing arm the in-memory sold-out answer for the purchases behind this one.
                // Applied only, not published: this refusal took no stock.
                room.ApplyLedgerCount(request.Sku, outcome.FlashRemaining, outcome.LineupRemaining, reservation.FlashSaleId, outcome.Sequence, offer.StockEpoch, time.GetUtcNow());
                return Refuse(PurchaseStatus.SoldOut, "no units left");
        }
    }

    /// <summary>
    /// The order an earlier purchase with this key produced. A guest without a guest token has a buyer id that
    /// exists only on this connection, so its session knows every key it reserved and the ledger is not asked. A
    /// viewer, or a guest with a guest token, may have bought with this key on another connection (a purchase retried
    /// after a reconnect) or before a restart, so for them the ledger is the answer.
    /// </summary>
    private async Task<string?> FindEarlierAsync(LiveRoom room, Participant buyer, ConnectionSession session, string key, CancellationToken cancellationToken)
    {
        if (session.FindReservedKey(buyer.UserId, room.ChannelId, key) is { } known) return known;
        if (buyer.ConnectionScoped && session.ReservedKeysComplete) return null;
        return await ledger.FindReservationAsync(room.ChannelId, buyer.UserId, key, cancellationToken);
    }

    private static PurchaseResult Refuse(string status, string reason) => new() { Status = status, Reason = reason };
}
