using Relay.Chat.Ledger;
using Relay.Chat.Rooms;

namespace Relay.Chat.Merchandising;

/// <summary>
/// The one place a count the ledger read after taking or giving back stock reaches a room: applied (unless a later
/// count is already there) and published as a coalesced `stock` event. Published even when a later count was applied
/// first: that one may have come quietly (a sold-out refusal's read), and the event carries whatever the room now
/// shows, so the last change of stock is always announced.
/// </summary>
internal sealed class RoomStock(LiveRoomRegistry rooms, StockPublisher publisher, RoomEvents events, TimeProvider time)
{
    /// <summary>A purchase's count, read in its reservation under the room's stock <paramref name="epoch"/>.</summary>
    public void Apply(LiveRoom room, string sku, int? flashRemaining, int? lineupRemaining, string? saleId, long sequence, int epoch)
    {
        room.ApplyLedgerCount(sku, flashRemaining, lineupRemaining, saleId, sequence, epoch, time.GetUtcNow());
        publisher.MarkDirty(room, sku);
    }

    /// <summary>A failed order's give-back. When the room is not open on this node (a node delivering another node's
    /// orders), the count is published as it is, for the nodes where it is open.</summary>
    public void GiveBack(string channelId, StockRelease release)
    {
        if (rooms.Find(channelId) is not { } room)
        {
            if (events.NodeId.Length > 0)
                _ = events.PublishSafeAsync(new RoomEvent
                {
                    ChannelId = channelId, Kind = RoomEventKind.Stock,
                    Stock = new StockCount(release.Sku, release.FlashRemaining, release.LineupRemaining, null, release.Sequence),
                });
            return;
        }
        room.ApplyLedgerCount(release.Sku, release.FlashRemaining, release.LineupRemaining, null, release.Sequence, epoch: null, time.GetUtcNow());
        publisher.MarkDirty(room, release.Sku);
    }
}
