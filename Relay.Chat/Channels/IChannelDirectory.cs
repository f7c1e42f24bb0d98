namespace Relay.Chat.Channels;

/// <summary>A product of a channel's line-up as the server stores it. <see cref="Stock"/> null = unlimited.</summary>
public sealed record LineupItem(string Sku, string Title, long PriceCents, string Currency, string? ImageUrl, int? Stock);

/// <summary>What the live room needs to know about a channel when it opens the room.</summary>
public sealed record ChannelInfo(string Id, string Title, bool Live, IReadOnlyList<LineupItem> Lineup);

/// <summary>
/// Implemented by the server over its channel store. The live room never sees stored secrets:
/// it hands the presented credential over and the server compares it in constant time.
/// </summary>
public interface IChannelDirectory
{
    /// <summary>null when no such channel exists.</summary>
    ValueTask<ChannelInfo?> FindChannelAsync(string channelId, CancellationToken cancellationToken);

    ValueTask<bool> IsHostKeyAsync(string channelId, string presentedKey, CancellationToken cancellationToken);

    ValueTask<bool> IsAdminTokenAsync(string presentedToken, CancellationToken cancellationToken);
}

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

    /// <summary>The channel was deleted: everyone in the room is told it is offline and the room state is dropped.</summary>
    Task ChannelDeletedAsync(string channelId, CancellationToken cancellationToken);
}
