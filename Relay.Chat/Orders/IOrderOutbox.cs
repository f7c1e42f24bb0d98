namespace Relay.Chat.Orders;

/// <summary>The durable outbox the dispatcher drains. Every transition only applies to a pending order,
/// so a late duplicate outcome can never release stock twice.</summary>
public interface IOrderOutbox
{
    /// <summary>Due orders, leased to this dispatcher for <paramref name="lease"/> so another node skips them.</summary>
    Task<IReadOnlyList<OrderRecord>> ClaimDueAsync(DateTimeOffset now, int max, TimeSpan lease, CancellationToken cancellationToken);

    /// <summary>Drops the leases a killed predecessor left: in the embedded store every lease (this process is the only
    /// dispatcher); in a cluster only this node's own (another node's leases are deliveries in flight, and end by
    /// themselves).</summary>
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
