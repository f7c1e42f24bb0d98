namespace Relay.Chat.Crm;

/// <summary>The durable CRM outbox the dispatcher drains, with the order outbox's rules: claims are leased (on PostgreSQL
/// <c>FOR UPDATE SKIP LOCKED</c>), every transition applies only to a pending event.</summary>
public interface ICrmOutbox
{
    Task<IReadOnlyList<CrmEventRecord>> ClaimDueAsync(DateTimeOffset now, int max, TimeSpan lease, CancellationToken cancellationToken);

    Task ReleaseAllLeasesAsync(CancellationToken cancellationToken);

    /// <summary>Moves a pending event to <paramref name="status"/> (delivered, failed, dead_letter); false if it was no longer pending.</summary>
    Task<bool> SettleAsync(string eventId, string status, int attempts, string? error, DateTimeOffset now, CancellationToken cancellationToken);

    Task ScheduleRetryAsync(string eventId, int attempts, DateTimeOffset nextAttemptAt, string error, DateTimeOffset now, CancellationToken cancellationToken);

    /// <summary>When the earliest pending event becomes due (other nodes' leases counted); null when none is pending.</summary>
    Task<DateTimeOffset?> NextDueAtAsync(CancellationToken cancellationToken);

    Task<IReadOnlyList<CrmEventRecord>> ListDeadLettersAsync(int max, CancellationToken cancellationToken);

    Task<IReadOnlyList<CrmEventRecord>> ListAsync(string channelId, CancellationToken cancellationToken);

    /// <summary>A dead letter back to pending with a fresh round of attempts, same id. Answers the status it had (null = no such event).</summary>
    Task<string?> RedeliverAsync(string eventId, DateTimeOffset now, CancellationToken cancellationToken);
}
