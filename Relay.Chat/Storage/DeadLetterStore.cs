using Relay.Chat.Orders;

namespace Relay.Chat.Storage;

/// <summary>Dead letters of the outbox (<c>orders_orders</c>, see <see cref="CommerceStore"/>), once for both engines.</summary>
public abstract class DeadLetterStore : IDeadLetters
{
    private readonly ICommerceDatabase _database;

    private protected DeadLetterStore(ICommerceDatabase database) => _database = database;

    public Task<RedeliveryResult> RedeliverAsync(string orderId, DateTimeOffset now, CancellationToken cancellationToken) =>
        _database.WriteAsync(async s =>
        {
            // Attempts restart at 0 so MaxAttempts applies anew; last_error stays until the next answer replaces it.
            if (await s.ExecuteAsync(
                    $"""
                    UPDATE orders_orders SET status = '{OrderStatus.Pending}', attempts = 0, next_attempt_at = $1, lease_until = 0, updated_at = $1
                    WHERE order_id = $2 AND status = '{OrderStatus.DeadLetter}';
                    """,
                    cancellationToken, now.ToUnixTimeMilliseconds(), orderId) == 1)
                return new RedeliveryResult(RedeliveryOutcome.Redelivered, OrderStatus.DeadLetter);
            return await s.ScalarAsync("SELECT status FROM orders_orders WHERE order_id = $1;", cancellationToken, orderId) is string status
                ? new RedeliveryResult(RedeliveryOutcome.NotDeadLettered, status)
                : new RedeliveryResult(RedeliveryOutcome.UnknownOrder, null);
        }, cancellationToken);
}
