using Relay.Chat.Channels;

namespace Relay.Chat.Ledger;

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
    Task<FlashSaleRecord> StartFlashSaleAsync(string channelId, string sku, long priceCents, string currency, int quantity, DateTimeOffset endsAt, DateTimeOffset? startsAt, CancellationToken cancellationToken);

    /// <summary>Ends the channel's running sale; true if there was one.</summary>
    Task<bool> EndFlashSaleAsync(string channelId, string? saleId, CancellationToken cancellationToken);

    Task<FlashSaleRecord?> FindActiveFlashSaleAsync(string channelId, DateTimeOffset now, CancellationToken cancellationToken);
}
