using Relay.Chat.Rooms;

namespace Relay.Chat.Coupons;

/// <summary>
/// `coupon` counts coalesce like stock (<see cref="Merchandising.StockPublisher"/>'s pacing): 5,000 claims mark a coupon
/// dirty 5,000 times, one sender loop per room publishes the room's lowest count on the room bus at most once per
/// <see cref="MinInterval"/>, and every node applies it (the lowest count wins) and shows it to its viewers.
/// </summary>
internal sealed class CouponPublisher(RoomEvents events)
{
    // Pacing, not logic: a real delay, so it never waits for a test's fake clock.
    internal static readonly TimeSpan MinInterval = TimeSpan.FromMilliseconds(250);

    public void MarkDirty(LiveRoom room, string couponId)
    {
        if (room.MarkCouponDirty(couponId)) _ = Task.Run(() => FlushAsync(room));
    }

    private async Task FlushAsync(LiveRoom room)
    {
        while (true)
        {
            var counts = room.TakeDirtyCoupons();
            if (counts.Count == 0) return;
            foreach (var (couponId, remaining) in counts)
                await events.PublishSafeAsync(new RoomEvent
                {
                    ChannelId = room.ChannelId, Kind = RoomEventKind.CouponCount, CouponId = couponId, CouponRemaining = remaining,
                });
            await Task.Delay(MinInterval);
        }
    }
}
