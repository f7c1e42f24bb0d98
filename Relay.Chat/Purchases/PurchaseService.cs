using Microsoft.Extensions.Options;
using Relay.Chat.Configuration;
using Relay.Chat.Contracts;
using Relay.Chat.Diagnostics;
using Relay.Chat.Identity;
using Relay.Chat.Rooms;

namespace Relay.Chat.Purchases;

/// <summary>Validates a purchase, reserves it in the ledger (stock + outbox in one step) and wakes the dispatcher.</summary>
internal sealed class PurchaseService(
    LiveRoomRegistry registry,
    IStockLedger ledger,
    StockPublisher stock,
    OrderDispatchSignal dispatch,
    IOptions<CommerceOptions> options,
    TimeProvider time)
{
    private const int MaxIdempotencyKeyLength = 128;

    public async Task<PurchaseResult> PurchaseAsync(LiveSession session, PurchaseRequest? request, CancellationToken cancellationToken)
    {
        var (room, participant) = registry.Joined(session);
        var result = await DecideAsync(room, participant, session, request, cancellationToken);
        ChatMetrics.Purchases.WithLabels(room.ChannelId, result.Status).Inc();
        return result;
    }

    private async Task<PurchaseResult> DecideAsync(LiveRoom room, Participant buyer, LiveSession session, PurchaseRequest? request, CancellationToken cancellationToken)
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
        if (await ledger.FindReservationAsync(room.ChannelId, buyer.UserId, request.IdempotencyKey, cancellationToken) is { } earlier)
            return new PurchaseResult { Status = PurchaseStatus.Reserved, OrderId = earlier };

        if (request.Quantity < 1)
            return Refuse(PurchaseStatus.Invalid, "quantity must be at least 1");
        if (request.Quantity > options.Value.MaxQuantityPerOrder)
            return Refuse(PurchaseStatus.LimitExceeded, $"at most {options.Value.MaxQuantityPerOrder} per order");

        var now = time.GetUtcNow();
        ReservationRequest reservation;
        lock (room.Gate)
        {
            var product = room.FindProduct(request.Sku);
            if (product is null) return Refuse(PurchaseStatus.NotOnSale, "sku is not in the line-up");
            var onFlashSale = room.IsFlashSaleActive(now) && room.FlashSale!.Sku == request.Sku;
            if (!onFlashSale && room.PinnedSku != request.Sku)
                return Refuse(PurchaseStatus.NotOnSale, "only the pinned product or the flash sale can be bought");
            reservation = new ReservationRequest(
                room.ChannelId, buyer.UserId, buyer.DisplayName, request.IdempotencyKey, request.Sku, request.Quantity,
                onFlashSale ? room.FlashSale!.PriceCents : product.PriceCents,
                onFlashSale ? room.FlashSale!.Currency : product.Currency,
                session.Referrer,
                onFlashSale ? room.FlashSale!.SaleId : null,
                room.LineupRemaining.ContainsKey(request.Sku),
                now);
        }

        var outcome = await ledger.ReserveAsync(reservation, cancellationToken);
        switch (outcome.Kind)
        {
            case ReservationKind.Reserved:
                lock (room.Gate) room.ApplyStock(request.Sku, outcome.FlashRemaining, outcome.LineupRemaining, reservation.FlashSaleId, outcome.Sequence);
                stock.MarkDirty(room, request.Sku);
                dispatch.Notify();
                return new PurchaseResult { Status = PurchaseStatus.Reserved, OrderId = outcome.OrderId };
            case ReservationKind.Duplicate:
                return new PurchaseResult { Status = PurchaseStatus.Reserved, OrderId = outcome.OrderId };
            case ReservationKind.SaleOver:
                return Refuse(PurchaseStatus.NotOnSale, "the flash sale has ended");
            default:
                return Refuse(PurchaseStatus.SoldOut, "no units left");
        }
    }

    private static PurchaseResult Refuse(string status, string reason) => new() { Status = status, Reason = reason };
}
