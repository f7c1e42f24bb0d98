using Relay.Chat.Channels;

namespace Relay.Chat.Purchases;

/// <summary>What a purchase takes from stock and writes to the outbox, decided by the room beforehand.
/// <paramref name="MaxBuyerUnitsPerSku"/> and <paramref name="MaxBuyerUnitsPerSale"/> cap what this buyer may hold
/// (orders not failed, counted in the ledger) of the sku since its last stock reset and of the flash sale.</summary>
public sealed record ReservationRequest(
    string ChannelId, string BuyerId, string BuyerName, string IdempotencyKey,
    string Sku, int Quantity, long UnitPriceCents, string Currency, string? Referrer,
    string? FlashSaleId, bool LineupLimited, DateTimeOffset Now,
    int MaxBuyerUnitsPerSku = int.MaxValue, int MaxBuyerUnitsPerSale = int.MaxValue);

public enum ReservationKind { Reserved, Duplicate, SoldOut, SaleOver, LimitExceeded }

/// <summary>Which per-buyer cap refused a reservation.</summary>
public enum BuyerLimit { None, PerSku, PerSale }

/// <summary>Remaining counts are read inside the reserving transaction; <see cref="Sequence"/> orders them.</summary>
public sealed record ReservationOutcome(ReservationKind Kind, string? OrderId, int? FlashRemaining, int? LineupRemaining, long Sequence,
    BuyerLimit Limit = BuyerLimit.None);

/// <summary>What buyers can still get of each limited sku after a line-up was applied (unlimited skus are absent), read in
/// the applying transaction; <see cref="Sequence"/> orders it against reservations and give-backs.</summary>
public sealed record LineupStock(IReadOnlyDictionary<string, int> Remaining, long Sequence);

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

    /// <summary>Sets each sku's total to its line-up <c>stock</c> (null = unlimited). Units of orders that are not failed stay
    /// counted, so remaining = max(0, stock - held): a new line-up never makes sold units sellable again. With
    /// <paramref name="resetStock"/> the listed skus start a new count (held 0); orders from before no longer count,
    /// for stock or per-buyer caps, and give nothing back when they fail.</summary>
    Task<LineupStock> ApplyLineupAsync(string channelId, IReadOnlyList<LineupItem> lineup, bool resetStock, CancellationToken cancellationToken);

    /// <summary>Ends any running sale of the channel and starts this one.</summary>
    Task<FlashSaleRecord> StartFlashSaleAsync(string channelId, string sku, long priceCents, string currency, int quantity, DateTimeOffset endsAt, CancellationToken cancellationToken);

    /// <summary>Ends the channel's running sale; true if there was one.</summary>
    Task<bool> EndFlashSaleAsync(string channelId, string? saleId, CancellationToken cancellationToken);

    Task<FlashSaleRecord?> FindActiveFlashSaleAsync(string channelId, DateTimeOffset now, CancellationToken cancellationToken);
}
