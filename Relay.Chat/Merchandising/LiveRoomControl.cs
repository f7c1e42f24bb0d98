using Relay.Chat.Channels;
using Relay.Chat.Ledger;
using Relay.Chat.Rooms;

namespace Relay.Chat.Merchandising;

/// <summary>The server's side door into the rooms (<see cref="ILiveRoomControl"/>): ingest status, line-up changes and
/// channel deletion, which reach the ledger, the room's merchandise and its connections together.</summary>
internal sealed class LiveRoomControl(
    LiveRoomRegistry registry,
    RoomBroadcaster broadcaster,
    RoomEvents events,
    StockPublisher stock,
    IStockLedger ledger,
    MerchandisingService merchandising,
    IChannelCommerceArchive archive,
    TimeProvider time) : ILiveRoomControl
{
    public async Task SetLiveAsync(string channelId, bool live, CancellationToken cancellationToken)
    {
        registry.Find(channelId)?.SetLive(live);
        await events.PublishAsync(new RoomEvent { ChannelId = channelId, Kind = RoomEventKind.Status, Live = live }, cancellationToken);
    }

    public async Task LineupChangedAsync(string channelId, IReadOnlyList<LineupItem> lineup, bool resetStock, CancellationToken cancellationToken)
    {
        // One change at a time per channel, and never interleaved with the room opening: the ledger and the room
        // always end on the same line-up (the server calls in the order it stored them).
        using var turn = await registry.ChangeGate.EnterAsync(channelId, cancellationToken);
        var stockNow = await ledger.ApplyLineupAsync(channelId, lineup, resetStock, cancellationToken);
        if (registry.Find(channelId) is not { } room) return;
        var (unpin, endSale) = room.ReplaceLineup(lineup, stockNow, time.GetUtcNow());
        if (unpin) await merchandising.UnpinAsync(room, cancellationToken);
        if (endSale) await merchandising.EndFlashSaleAsync(room, null, cancellationToken);
        foreach (var item in lineup) stock.MarkDirty(room, item.Sku);
        // Every node applies the catalog's change itself, so each tells only its own viewers (no seq: see LineupEvent).
        var changed = new Contracts.LineupEvent { Items = room.LineupViews(time.GetUtcNow()) };
        await broadcaster.ToRoomAsync(channelId, "lineup", c => c.lineup(changed));
    }

    public Task NextShowChangedAsync(string channelId, DateTimeOffset? nextShowAt, CancellationToken cancellationToken) =>
        events.PublishAsync(new RoomEvent { ChannelId = channelId, Kind = RoomEventKind.NextShow, NextShowAt = nextShowAt }, cancellationToken);

    public async Task ChannelDeletedAsync(string channelId, CancellationToken cancellationToken)
    {
        string[] connections = registry.Remove(channelId, out var room) && room is not null ? room.Close() : [];
        await ledger.EndFlashSaleAsync(channelId, null, cancellationToken);
        // A channel created again under this id must not inherit these orders, keys or stock counts (review M11).
        await archive.ArchiveChannelAsync(channelId, time.GetUtcNow(), cancellationToken);
        await events.PublishSafeAsync(new RoomEvent { ChannelId = channelId, Kind = RoomEventKind.Status, Live = false });
        // Connections still joined would otherwise hear a room opened later under the same id.
        foreach (var connection in connections)
            await broadcaster.Groups.RemoveFromGroupAsync(connection, broadcaster.RoomGroup(channelId), cancellationToken);
    }
}
