using Relay.Chat.Orders;

namespace Relay.Chat.Storage;

/// <summary>Dead letters of the embedded outbox (<c>orders_orders</c>, see <see cref="SqliteCommerceStore"/>).</summary>
public sealed class SqliteDeadLetters(ChatDatabase database) : IDeadLetters
{
    public Task<RedeliveryResult> RedeliverAsync(string orderId, DateTimeOffset now, CancellationToken cancellationToken) =>
        database.WriteAsync(async (c, tx) =>
        {
            // Attempts restart at 0 so MaxAttempts applies anew; last_error stays until the next answer replaces it.
            await using (var requeue = c.Command(tx,
                $"""
                UPDATE orders_orders SET status = '{OrderStatus.Pending}', attempts = 0, next_attempt_at = $now, lease_until = 0, updated_at = $now
                WHERE order_id = $id AND status = '{OrderStatus.DeadLetter}';
                """,
                ("$now", now.ToUnixTimeMilliseconds()), ("$id", orderId)))
            {
                if (await requeue.ExecuteNonQueryAsync(cancellationToken) == 1)
                    return new RedeliveryResult(RedeliveryOutcome.Redelivered, OrderStatus.DeadLetter);
            }
            await using var find = c.Command(tx, "SELECT status FROM orders_orders WHERE order_id = $id;", ("$id", orderId));
            return await find.ExecuteScalarAsync(cancellationToken) is string status
                ? new RedeliveryResult(RedeliveryOutcome.NotDeadLettered, status)
                : new RedeliveryResult(RedeliveryOutcome.UnknownOrder, null);
        }, cancellationToken);
}
