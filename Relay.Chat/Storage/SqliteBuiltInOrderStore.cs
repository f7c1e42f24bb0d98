using Relay.Chat.Orders;

namespace Relay.Chat.Storage;

/// <summary>The built-in order API's table: one row per Idempotency-Key, holding the first answer given.</summary>
public sealed class SqliteBuiltInOrderStore(ChatDatabase database) : IBuiltInOrderStore
{
    public Task<StoredOrderAnswer> AcceptAsync(string idempotencyKey, string orderId, string channelId, string bodyJson, string responseJson, DateTimeOffset now, CancellationToken cancellationToken) =>
        database.WriteAsync(async (c, tx) =>
        {
            await using (var existing = c.Command(tx, "SELECT response FROM orders_api_received WHERE idempotency_key = $k;", ("$k", idempotencyKey)))
            {
                if (await existing.ExecuteScalarAsync(cancellationToken) is string first)
                    return new StoredOrderAnswer(false, first);
            }
            await using var insert = c.Command(tx,
                "INSERT INTO orders_api_received (idempotency_key, order_id, channel_id, body, response, received_at) VALUES ($k, $o, $c, $b, $r, $now);",
                ("$k", idempotencyKey), ("$o", orderId), ("$c", channelId), ("$b", bodyJson), ("$r", responseJson), ("$now", now.ToUnixTimeMilliseconds()));
            await insert.ExecuteNonQueryAsync(cancellationToken);
            return new StoredOrderAnswer(true, responseJson);
        }, cancellationToken);

    public async Task<IReadOnlyList<string>> ListBodiesAsync(string channelId, CancellationToken cancellationToken)
    {
        await using var c = await database.OpenAsync(cancellationToken);
        await using var list = c.Command(null, "SELECT body FROM orders_api_received WHERE channel_id = $c ORDER BY received_at, idempotency_key;", ("$c", channelId));
        var bodies = new List<string>();
        await using var reader = await list.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken)) bodies.Add(reader.GetString(0));
        return bodies;
    }
}
