namespace Relay.Chat.Orders.BuiltIn;

/// <summary>Storage of the built-in order API (the default order endpoint).</summary>
public interface IBuiltInOrderStore
{
    Task<StoredOrderAnswer> AcceptAsync(string idempotencyKey, string orderId, string channelId, string bodyJson, string responseJson, DateTimeOffset now, CancellationToken cancellationToken);

    /// <summary>The JSON of each order received for the channel, with the `status` it was answered.</summary>
    Task<IReadOnlyList<string>> ListBodiesAsync(string channelId, CancellationToken cancellationToken);

    /// <summary>Up to <paramref name="max"/> received orders after <paramref name="after"/>, in (receivedAt, key) order.</summary>
    Task<IReadOnlyList<ReceivedOrderRow>> ListBodiesAsync(string channelId, ListCursor? after, int max, CancellationToken cancellationToken);
}
