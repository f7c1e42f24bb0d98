using Relay.Chat.Diagnostics;
using Microsoft.Extensions.Options;
using Relay.Chat.Configuration;
using Relay.Chat.Contracts;

namespace Relay.Chat.Rooms;

/// <summary>
/// `stock` events coalesce: a burst of 200 purchases marks the sku dirty 200 times, one sender loop per room
/// sends the latest count in order, so clients never see an older count after a newer one. At most one round of
/// events per <see cref="MinInterval"/> per room: each round is a write to every connection of the room.
/// </summary>
internal sealed class StockPublisher(RoomBroadcaster broadcaster, TimeProvider time)
{
    // Pacing, not logic: a real delay, so it never waits for a test's fake clock.
    internal static readonly TimeSpan MinInterval = TimeSpan.FromMilliseconds(250);

    public void MarkDirty(LiveRoom room, string sku)
    {
        lock (room.Gate)
        {
            room.DirtyStock.Add(sku);
            if (room.StockFlushRunning) return;
            room.StockFlushRunning = true;
        }
        _ = Task.Run(() => FlushAsync(room));
    }

    private async Task FlushAsync(LiveRoom room)
    {
        while (true)
        {
            List<StockEvent> events;
            lock (room.Gate)
            {
                var now = time.GetUtcNow();
                events = [.. room.DirtyStock
                    .Select(sku => (sku, stock: room.VisibleStock(sku, now)))
                    .Where(s => s.stock is not null)
                    .Select(s => new StockEvent { Sku = s.sku, Remaining = s.stock!.Value })];
                room.DirtyStock.Clear();
                if (events.Count == 0)
                {
                    room.StockFlushRunning = false;
                    return;
                }
            }
            foreach (var e in events)
                await broadcaster.ToRoomAsync(room.ChannelId, "stock", c => c.stock(e));
            // Counts that change meanwhile coalesce into the next round.
            await Task.Delay(MinInterval);
        }
    }
}

/// <summary>Joins and leaves coalesce into one `viewers` event per room per debounce interval.</summary>
internal sealed class ViewerCountPublisher(RoomBroadcaster broadcaster, TimeProvider time, IOptions<ChatOptions> options)
{
    public void Changed(LiveRoom room)
    {
        lock (room.Gate)
        {
            if (room.ViewerBroadcastScheduled) return;
            room.ViewerBroadcastScheduled = true;
        }
        _ = PublishLaterAsync(room);
    }

    private async Task PublishLaterAsync(LiveRoom room)
    {
        await Task.Delay(TimeSpan.FromMilliseconds(options.Value.ViewerCountDebounceMilliseconds), time);
        int count;
        lock (room.Gate)
        {
            room.ViewerBroadcastScheduled = false;
            count = room.Connections.Count;
        }
        ChatMetrics.RoomViewers.WithLabels(room.ChannelId).Set(count);
        await broadcaster.ToRoomAsync(room.ChannelId, "viewers", c => c.viewers(new ViewersEvent { Count = count }));
    }
}
