using Relay.Chat.Contracts;
using Relay.Chat.Rooms;

namespace Relay.Chat.Merchandising;

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
        if (room.MarkStockDirty(sku)) _ = Task.Run(() => FlushAsync(room));
    }

    private async Task FlushAsync(LiveRoom room)
    {
        while (true)
        {
            List<StockEvent> events = room.TakeDirtyStock(time.GetUtcNow());
            if (events.Count == 0) return;
            foreach (var e in events)
                await broadcaster.ToRoomAsync(room.ChannelId, "stock", c => c.stock(e));
            // Counts that change meanwhile coalesce into the next round.
            await Task.Delay(MinInterval);
        }
    }
}
