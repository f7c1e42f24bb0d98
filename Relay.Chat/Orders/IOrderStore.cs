namespace Relay.Chat.Orders;

public interface IOrderStore
{
    Task<IReadOnlyList<OrderRecord>> ListByChannelAsync(string channelId, CancellationToken cancellationToken);

    /// <summary>Up to <paramref name="max"/> of the channel's orders after <paramref name="after"/>, in (createdAt, orderId) order.</summary>
    Task<IReadOnlyList<OrderRecord>> ListByChannelAsync(string channelId, ListCursor? after, int max, CancellationToken cancellationToken);

    /// <summary>Up to <paramref name="max"/> dead-lettered orders of every channel, newest first (the admin console's list).</summary>
    Task<IReadOnlyList<OrderRecord>> ListDeadLettersAsync(int max, CancellationToken cancellationToken);
}
