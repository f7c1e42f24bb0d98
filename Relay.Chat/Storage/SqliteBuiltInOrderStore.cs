using Relay.Chat.Orders;
using Relay.Chat.Orders.BuiltIn;

namespace Relay.Chat.Storage;

/// <summary>The built-in order API's table: one row per Idempotency-Key, holding the first answer given. Accepts are
/// group-committed (see <see cref="GroupCommit{TRequest, TResult}"/>): the 201 is sent after the row is committed.</summary>
public sealed class SqliteBuiltInOrderStore : IBuiltInOrderStore, IAsyncDisposable
{
    private readonly ChatDatabase _database;
    private readonly GroupCommit<Accept, StoredOrderAnswer> _accepts;

    public SqliteBuiltInOrderStore(ChatDatabase database)
    {
        _database = database;
        _accepts = new(WriteAcceptsAsync);
    }

    public Task<StoredOrderAnswer> AcceptAsync(string idempotencyKey, string orderId, string channelId, string bodyJson, string responseJson, DateTimeOffset now, CancellationToken cancellationToken) =>
        _accepts.WriteAsync(new Accept(idempotencyKey, orderId, channelId, bodyJson, responseJson, now.ToUnixTimeMilliseconds()), cancellationToken);

    private sealed record Accept(string Key, string OrderId, string ChannelId, string Body, string Response, long Now);

    private Task<IReadOnlyList<StoredOrderAnswer>> WriteAcceptsAsync(IReadOnlyList<Accept> accepts) =>
        _database.WriteAsync<IReadOnlyList<StoredOrderAnswer>>(async (c, tx) =>
        {
            var ct = CancellationToken.None;
            await using var existing = new SqliteStatement(c, tx, "SELECT response FROM orders_api_received WHERE idempotency_key = $1;");
            await using var insert = new SqliteStatement(c, tx,
                "INSERT INTO orders_api_received (idempotency_key, order_id, channel_id, body, response, received_at) VALUES ($1, $2, $3, $4, $5, $6);");
            var answers = new StoredOrderAnswer[accepts.Count];
            for (var i = 0; i < accepts.Count; i++)
            {
                var a = accepts[i];
                if (await existing.Run(ct, a.Key) is string first)
                {
                    answers[i] = new StoredOrderAnswer(false, first);
                    continue;
                }
                await insert.Execute(ct, a.Key, a.OrderId, a.ChannelId, a.Body, a.Response, a.Now);
                answers[i] = new StoredOrderAnswer(true, a.Response);
            }
            return answers;
        }, CancellationToken.None);

    public async Task<IReadOnlyList<string>> ListBodiesAsync(string channelId, CancellationToken cancellationToken)
    {
        await using var c = await _database.OpenAsync(cancellationToken);
        // Each order as received plus the `status` this API answered (from the stored first answer).
        await using var list = c.Command(null,
            "SELECT json_set(body, '$.status', json_extract(response, '$.status')) FROM orders_api_received WHERE channel_id = $c ORDER BY received_at, idempotency_key;",
            ("$c", channelId));
        var bodies = new List<string>();
        await using var reader = await list.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken)) bodies.Add(reader.GetString(0));
        return bodies;
    }

    public async Task<IReadOnlyList<ReceivedOrderRow>> ListBodiesAsync(string channelId, ListCursor? after, int max, CancellationToken cancellationToken)
    {
        await using var c = await _database.OpenAsync(cancellationToken);
        await using var list = c.Command(null,
            """
            SELECT body, received_at, idempotency_key FROM orders_api_received
            WHERE channel_id = $c AND ($at IS NULL OR received_at > $at OR (received_at = $at AND idempotency_key > $key))
            ORDER BY received_at, idempotency_key LIMIT $max;
            """,
            ("$c", channelId), ("$at", after?.At), ("$key", after?.Id), ("$max", max));
        var rows = new List<ReceivedOrderRow>();
        await using var reader = await list.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
            rows.Add(new ReceivedOrderRow(reader.GetString(0), new ListCursor(reader.GetInt64(1), reader.GetString(2))));
        return rows;
    }

    public ValueTask DisposeAsync() => _accepts.DisposeAsync();
}
