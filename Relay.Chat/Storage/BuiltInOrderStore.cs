using Relay.Chat.Orders;
using Relay.Chat.Orders.BuiltIn;

namespace Relay.Chat.Storage;

/// <summary>The built-in order API's table, written once for both engines: one row per Idempotency-Key, holding the first
/// answer given. Accepts are group-committed (see <see cref="GroupCommit{TRequest, TResult}"/>): the 201 is sent after
/// the row is committed. On PostgreSQL every node's built-in API shares the table, so a key one node took answers
/// its first answer on every node.</summary>
public abstract class BuiltInOrderStore : IBuiltInOrderStore, IAsyncDisposable
{
    private const string Insert =
        "INSERT INTO orders_api_received (idempotency_key, order_id, channel_id, body, response, received_at) VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (idempotency_key) DO NOTHING;";

    private const string FirstAnswer = "SELECT response FROM orders_api_received WHERE idempotency_key = $1;";

    private readonly ICommerceDatabase _database;
    private readonly GroupCommit<Accept, StoredOrderAnswer> _accepts;

    private protected BuiltInOrderStore(ICommerceDatabase database)
    {
        _database = database;
        _accepts = new(WriteAcceptsAsync, database.MayBeOneRequest);
    }

    public Task<StoredOrderAnswer> AcceptAsync(string idempotencyKey, string orderId, string channelId, string bodyJson, string responseJson, DateTimeOffset now, CancellationToken cancellationToken) =>
        _accepts.WriteAsync(new Accept(idempotencyKey, orderId, channelId, bodyJson, responseJson, now.ToUnixTimeMilliseconds()), cancellationToken);

    private sealed record Accept(string Key, string OrderId, string ChannelId, string Body, string Response, long Now);

    private Task<IReadOnlyList<StoredOrderAnswer>> WriteAcceptsAsync(IReadOnlyList<Accept> accepts) =>
        _database.WriteAsync<IReadOnlyList<StoredOrderAnswer>>(async s =>
        {
            var ct = CancellationToken.None;
            // A key seen before (earlier, in this batch, or by another node) inserts nothing and answers the first answer.
            var inserted = await s.RunAsync(accepts.Select(a => new SqlCall(Insert, a.Key, a.OrderId, a.ChannelId, a.Body, a.Response, a.Now)).ToList(), ct);
            var seen = Enumerable.Range(0, accepts.Count).Where(i => inserted[i].Affected != 1).ToList();
            IReadOnlyList<SqlResult> first = seen.Count == 0 ? [] : await s.RunAsync(seen.Select(i => new SqlCall(FirstAnswer, accepts[i].Key)).ToList(), ct);
            var answers = accepts.Select(a => new StoredOrderAnswer(true, a.Response)).ToArray();
            for (var j = 0; j < seen.Count; j++) answers[seen[j]] = new StoredOrderAnswer(false, (string)first[j].Scalar!);
            return answers;
        }, CancellationToken.None);

    public Task<IReadOnlyList<string>> ListBodiesAsync(string channelId, CancellationToken cancellationToken) =>
        // Each order as received plus the `status` this API answered (from the stored first answer).
        _database.ReadAsync<IReadOnlyList<string>>(async s =>
            (await s.QueryAsync($"SELECT {_database.Dialect.ReceivedBody} FROM orders_api_received WHERE channel_id = $1 ORDER BY received_at, idempotency_key;",
                cancellationToken, channelId)).Select(r => (string)r[0]!).ToList(), cancellationToken);

    public Task<IReadOnlyList<ReceivedOrderRow>> ListBodiesAsync(string channelId, ListCursor? after, int max, CancellationToken cancellationToken) =>
        _database.ReadAsync<IReadOnlyList<ReceivedOrderRow>>(async s =>
            (after is null
                ? await s.QueryAsync(
                    "SELECT body, received_at, idempotency_key FROM orders_api_received WHERE channel_id = $1 ORDER BY received_at, idempotency_key LIMIT $2;",
                    cancellationToken, channelId, max)
                : await s.QueryAsync(
                    """
                    SELECT body, received_at, idempotency_key FROM orders_api_received
                    WHERE channel_id = $1 AND (received_at > $2 OR (received_at = $2 AND idempotency_key > $3))
                    ORDER BY received_at, idempotency_key LIMIT $4;
                    """,
                    cancellationToken, channelId, after.At, after.Id, max))
            .Select(r => new ReceivedOrderRow((string)r[0]!, new ListCursor(SqlValue.Long(r[1]), (string)r[2]!))).ToList(), cancellationToken);

    public async ValueTask DisposeAsync()
    {
        await _accepts.DisposeAsync();
        GC.SuppressFinalize(this);
    }
}
