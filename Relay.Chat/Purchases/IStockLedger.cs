using Relay.Chat.Channels;

namespace Relay.Chat.Purchases;

/// <summary>What a purchase takes from stock and writes to the outbox, decided by the room beforehand.</summary>
public sealed record ReservationRequest(
    string ChannelId, string BuyerId, string BuyerName, string IdempotencyKey,
    string Sku, int Quantity, long UnitPriceCents, string Currency, string? Referrer,
    string? FlashSaleId, bool LineupLimited, DateTimeOffset Now);

public enum ReservationKind { Reserved, Duplicate, SoldOut, SaleOver }

/// <summary>Remaining counts are read inside the reserving transaction; <see cref="Sequence"/> orders them.</summary>
public sealed record ReservationOutcome(ReservationKind Kind, string? OrderId, int? FlashRemaining, int? LineupRemaining, long Sequence);

public sealed record FlashSaleRecord(
    string SaleId, string ChannelId, string Sku, long PriceCents, string Currency,
    int Quantity, int Remaining, DateTimeOffset EndsAt);

/// <summary>Stock given back after an order failed for good.</summary>
public sealed record StockRelease(string ChannelId, string Sku, int? FlashRemaining, int? LineupRemaining, long Sequence);

/// <summary>
/// Stock and reservations. The embedded implementation is SQLite; a Redis (Lua) or PostgreSQL one must keep
/// the same guarantee: reserving and writing the order to the outbox happen together or not at all.
/// </summary>
public interface IStockLedger
{
    /// <summary>Takes stock, writes the order to the outbox and remembers the idempotency key, atomically.</summary>
    Task<ReservationOutcome> ReserveAsync(ReservationRequest request, CancellationToken cancellationToken);

    /// <summary>The order an idempotency key already produced, if any.</summary>
    Task<string?> FindReservationAsync(string channelId, string buyerId, string idempotencyKey, CancellationToken cancellationToken);

    /// <summary>Limited line-up stock per sku after applying <paramref name="lineup"/>: with <paramref name="reset"/>
    /// the given stock replaces what is left, otherwise only skus the ledger has never seen are added.</summary>
    Task<IReadOnlyDictionary<string, int>> ApplyLineupAsync(string channelId, IReadOnlyList<LineupItem> lineup, bool reset, CancellationToken cancellationToken);

    /// <summary>Ends any running sale of the channel and starts this one.</summary>
    Task<FlashSaleRecord> StartFlashSaleAsync(string channelId, string sku, long priceCents, string currency, int quantity, DateTimeOffset endsAt, CancellationToken cancellationToken);

    /// <summary>Ends the channel's running sale; true if there was one.</summary>
    Task<bool> EndFlashSaleAsync(string channelId, string? saleId, CancellationToken cancellationToken);

    Task<FlashSaleRecord?> FindActiveFlashSaleAsync(string channelId, DateTimeOffset now, CancellationToken cancellationToken);
}
