namespace Relay.Chat.Channels;

/// <summary>Implemented by the live room; the server calls it when ingest or the line-up changes.</summary>
public interface ILiveRoomControl
{
    /// <summary>Ingest went live or offline: the room gets `status {live}`.</summary>
    Task SetLiveAsync(string channelId, bool live, CancellationToken cancellationToken);

    /// <summary>After `PUT /api/v1/channels/{id}/lineup` stored a new line-up: each sku's total becomes its `stock` and
    /// what is sold stays sold (remaining = max(0, stock - sold)); with <paramref name="resetStock"/> the listed skus start
    /// a new count. A pin or flash sale on a product no longer listed ends. Calls for one channel must come in the order
    /// the line-ups were stored.</summary>
    Task LineupChangedAsync(string channelId, IReadOnlyList<LineupItem> lineup, bool resetStock, CancellationToken cancellationToken);

    /// <summary>The next show's time was set, moved or cleared: the room's connections get `nextShow {nextShowAt}` and
    /// later snapshots carry it.</summary>
    Task NextShowChangedAsync(string channelId, DateTimeOffset? nextShowAt, CancellationToken cancellationToken);

    /// <summary>The channel was deleted: everyone in the room is told it is offline and the room state is dropped.</summary>
    Task ChannelDeletedAsync(string channelId, CancellationToken cancellationToken);
}
