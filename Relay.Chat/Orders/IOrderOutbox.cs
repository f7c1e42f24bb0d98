namespace Relay.Chat.Orders;

/// <summary>An order waiting for (or delivered to) the order API.</summary>
public sealed record OrderRecord(
    string OrderId, string ChannelId, string Sku, int Quantity, long UnitPriceCents, string Currency,
    string BuyerId, string BuyerName, string? Referrer, bool FlashSale, string Status, int Attempts,
    string? LastError, DateTimeOffset CreatedAt);

public static class OrderStatus
{
    public const string Pending = "pending";
    public const string Confirmed = "confirmed";
    public const string Failed = "failed";
    public const string DeadLetter = "dead_letter";
}

/// <summary>The durable outbox the dispatcher drains. Every transition only applies to a pending order,
/// so a late duplicate outcome can never release stock twice.</summary>
public interface IOrderOutbox
{
    /// <summary>Due orders, leased to this dispatcher for <paramref name="lease"/> so another node skips them.</summary>
    Task<IReadOnlyList<OrderRecord>> ClaimDueAsync(DateTimeOffset now, int max, TimeSpan lease, CancellationToken cancellationToken);

    /// <summary>Drops every lease: in the embedded store this process is the only dispatcher, so leases left by
    /// a killed process would only delay delivery.</summary>
    Task ReleaseAllLeasesAsync(CancellationToken cancellationToken);

    Task<bool> MarkConfirmedAsync(string orderId, int attempts, DateTimeOffset now, CancellationToken cancellationToken);

    /// <summary>Marks failed and gives the stock back in the same transaction; null if it was no longer pending.</summary>
    Task<Ledger.StockRelease?> MarkFailedAsync(string orderId, int attempts, string error, DateTimeOffset now, CancellationToken cancellationToken);

    Task ScheduleRetryAsync(string orderId, int attempts, DateTimeOffset nextAttemptAt, string error, DateTimeOffset now, CancellationToken cancellationToken);

    Task<bool> MarkDeadLetterAsync(string orderId, int attempts, string error, DateTimeOffset now, CancellationToken cancellationToken);

    Task<int> CountPendingAsync(CancellationToken cancellationToken);

    /// <summary>When the earliest pending order becomes due; null when none is pending.</summary>
    Task<DateTimeOffset?> NextDueAtAsync(CancellationToken cancellationToken);
}

public interface IOrderStore
{
    Task<IReadOnlyList<OrderRecord>> ListByChannelAsync(string channelId, CancellationToken cancellationToken);

    /// <summary>Up to <paramref name="max"/> of the channel's orders after <paramref name="after"/>, in (createdAt, orderId) order.</summary>
    Task<IReadOnlyList<OrderRecord>> ListByChannelAsync(string channelId, ListCursor? after, int max, CancellationToken cancellationToken);
}
