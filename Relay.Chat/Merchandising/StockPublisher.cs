using Relay.Chat.Rooms;

namespace Relay.Chat.Merchandising;

/// <summary>
/// `stock` events coalesce: a burst of 200 purchases marks the sku dirty 200 times, one sender loop per room (on the
/// node where the counts changed) publishes the latest count on the room bus in order, so clients never see an older count after a newer one. At most one round of
/// events per <see cref="MinInterval"/> per room: each round is a write to every connection of the room.
/// </summary>
internal sealed class StockPublisher(RoomEvents events, TimeProvider time)
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
            List<StockCount> counts = room.TakeDirtyStock(time.GetUtcNow());
            if (counts.Count == 0) return;
            // The count travels, not the event: every node applies it (newest ledger sequence wins) and tells its viewers
            // what its room then shows, so B's pre-check and B's viewers follow a purchase made on A.
            foreach (var count in counts)
                await events.PublishSafeAsync(new RoomEvent { ChannelId = room.ChannelId, Kind = RoomEventKind.Stock, Stock = count });
            // Counts that change meanwhile coalesce into the next round.
            await Task.Delay(MinInterval);
        }
    }
}
