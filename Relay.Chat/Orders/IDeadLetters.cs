namespace Relay.Chat.Orders;

/// <summary>Resolving dead letters: an operator puts one back into the outbox once the cause is fixed.</summary>
public interface IDeadLetters
{
    /// <summary>
    /// A `dead_letter` order becomes `pending` again, due now, with a fresh round of Orders:MaxAttempts attempts.
    /// It keeps its order id, so every new attempt carries the same Idempotency-Key as the earlier ones, and it keeps
    /// its reserved stock until the order API's answer settles it.
    /// </summary>
    Task<RedeliveryResult> RedeliverAsync(string orderId, DateTimeOffset now, CancellationToken cancellationToken);
}
