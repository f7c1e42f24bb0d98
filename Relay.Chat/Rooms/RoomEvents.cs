using Microsoft.Extensions.Logging;
using Relay.Chat.Channels;
using Relay.Chat.Diagnostics;
using Relay.Chat.Ledger;

namespace Relay.Chat.Rooms;

/// <summary>
/// The two ends of the room bus on this node: what the services publish (<see cref="PublishAsync"/>), and what the bus
/// hands back from every node (<see cref="ReceiveAsync"/>), applied to this node's <see cref="LiveRoom"/> and sent to this
/// node's connections of the room only. A service never changes a room's shared state or sends a room event itself, so
/// every node applies the same events in the same (seq) order and its viewers see them in that order.
/// </summary>
internal sealed class RoomEvents(LiveRoomRegistry registry, RoomBroadcaster broadcaster, IRoomBus bus, IRoomActivity activity, TimeProvider time, ILogger<RoomEvents> logger,
    IChannelMediaTime? mediaTime = null)
{
    /// <summary>Arms a flash sale's end on the node that started it (set by the merchandising service).</summary>
    public Func<LiveRoom, FlashSaleRecord, ITimer>? AutoEnd { get; set; }

    public string NodeId => bus.NodeId;

    public Task PublishAsync(RoomEvent roomEvent, CancellationToken cancellationToken = default)
    {
        roomEvent.Origin = bus.NodeId;
        if (roomEvent.At == default) roomEvent.At = time.GetUtcNow();
        return bus.PublishAsync(roomEvent, cancellationToken);
    }

    /// <summary>For publications off a caller's path (stock rounds, viewer counts, toasts): a failure is logged, never thrown.</summary>
    public async Task PublishSafeAsync(RoomEvent roomEvent)
    {
        try
        {
            await PublishAsync(roomEvent);
        }
        catch (Exception ex)
        {
            Log.RoomEventPublishFailed(logger, roomEvent.Kind.ToString(), roomEvent.ChannelId, ex);
        }
    }

    public Task ReceiveAsync(RoomEvent roomEvent)
    {
        if (roomEvent.Kind == RoomEventKind.Resync) return ResyncAsync(roomEvent.ChannelId);
        // Before the room lookup: the node that records a show may have no viewer of its own in the room.
        if (ActivityOf(roomEvent) is { } heard) activity.Heard(heard);
        // Every node hears it; only the one the channel is published on writes it into the stream (the mirrors carry it on).
        if (roomEvent is { Kind: RoomEventKind.Cue, Cue: { } cue }) mediaTime?.WriteCue(roomEvent.ChannelId, roomEvent.Seq, cue.Kind, cue.Id, cue.StreamTimeMs);
        if (registry.FindForEvents(roomEvent.ChannelId) is not { } room)
        {
            // A deleted channel's room is gone, but its connections still hear that it went offline.
            return roomEvent.Kind == RoomEventKind.Status
                ? broadcaster.ToRoomAsync(roomEvent.ChannelId, "status", c => c.status(new Contracts.StatusEvent { Live = roomEvent.Live, Seq = roomEvent.Seq }))
                : Task.CompletedTask;
        }
        // Viewers who were waiting on the page when the show began are its audience too, though they joined before it.
        if (roomEvent is { Kind: RoomEventKind.Status, Live: true }) activity.ViewersPresent(roomEvent.ChannelId, room.ViewerIds(), roomEvent.At);
        var arm = roomEvent.Origin == bus.NodeId && AutoEnd is { } autoEnd ? sale => autoEnd(room, sale) : (Func<FlashSaleRecord, ITimer>?)null;
        return room.Apply(roomEvent, bus.NodeId, arm, time.GetUtcNow()) is { } delivery
            ? broadcaster.ToRoomAsync(roomEvent.ChannelId, delivery.EventName, delivery.Send)
            : Task.CompletedTask;
    }

    private static RoomActivityEvent? ActivityOf(RoomEvent e) => e.Kind switch
    {
        RoomEventKind.Message => new RoomActivityEvent(e.ChannelId, RoomActivityKind.Message, e.At),
        RoomEventKind.Viewers => new RoomActivityEvent(e.ChannelId, RoomActivityKind.Viewers, e.At, Viewers: e.Viewers),
        RoomEventKind.Pinned => new RoomActivityEvent(e.ChannelId, RoomActivityKind.Pinned, e.At, Sku: e.Product?.Sku, Title: e.Product?.Title,
            PriceCents: e.Product?.PriceCents),
        RoomEventKind.Unpinned => new RoomActivityEvent(e.ChannelId, RoomActivityKind.Unpinned, e.At),
        RoomEventKind.FlashSaleStarted => new RoomActivityEvent(e.ChannelId, RoomActivityKind.FlashSaleStarted, e.At, Sku: e.Sale?.Sku,
            SaleId: e.Sale?.SaleId, PriceCents: e.Sale?.PriceCents, Quantity: e.Sale?.Quantity),
        RoomEventKind.FlashSaleEnded => new RoomActivityEvent(e.ChannelId, RoomActivityKind.FlashSaleEnded, e.At, SaleId: e.SaleId ?? e.Sale?.SaleId,
            Sku: e.Sale?.Sku),
        RoomEventKind.Likes => new RoomActivityEvent(e.ChannelId, RoomActivityKind.Likes, e.At, Likes: e.LikesAdded),
        _ => null,
    };

    /// <summary>The bus may have missed events of this room: its shared state is read again and replaces the room's.
    /// Viewers get no event for it; what they missed shows in their next snapshot and the next events.</summary>
    private async Task ResyncAsync(string channelId)
    {
        if (registry.Find(channelId) is not { } room) return;
        if (await bus.LoadAsync(channelId, CancellationToken.None) is { } state) room.Resync(state, bus.NodeId, time.GetUtcNow());
    }
}
