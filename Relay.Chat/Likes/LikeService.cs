using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;
using Relay.Chat.Diagnostics;
using Relay.Chat.Ledger;
using Relay.Chat.Rooms;

namespace Relay.Chat.Likes;

/// <summary>
/// `Like(count)`: taps are summed per room on this node and added to the channel's counter (<see cref="ILikeCounter"/>)
/// once per <see cref="Interval"/>; the new total goes to every node through the room bus as a `likes` event. One node
/// paces itself; in a cluster the counter also lets only one node announce per interval (the others ask again after it),
/// so a room hears at most 4 `likes` a second and the last total is always announced.
/// </summary>
internal sealed class LikeService(LiveRoomRegistry registry, RoomEvents events, ILikeCounter counter, TimeProvider time, ILogger<LikeService> logger)
{
    public const int MaxTapsPerCall = 50;

    internal static readonly TimeSpan Interval = TimeSpan.FromMilliseconds(250);

    private readonly ConcurrentDictionary<string, PendingLikes> _pending = new(StringComparer.Ordinal);

    public Task LikeAsync(ConnectionSession session, int count)
    {
        var (room, _) = registry.Joined(session);
        if (count < 1 || count > MaxTapsPerCall)
            throw Refusal.Create(Refusal.Invalid, $"count must be between 1 and {MaxTapsPerCall}");
        if (session.LikeCalls is { } bucket && !bucket.TryTake(time.GetUtcNow(), out var wait))
            throw Refusal.Create(Refusal.RateLimited, $"too many likes, {Refusal.WaitHint(wait)}");
        ChatMetrics.Likes.WithLabels(room.ChannelId).Inc(count);
        var pending = _pending.GetOrAdd(room.ChannelId, _ => new PendingLikes());
        if (pending.Add(count)) _ = FlushLoopAsync(room.ChannelId, pending);
        return Task.CompletedTask;
    }

    private async Task FlushLoopAsync(string channelId, PendingLikes pending)
    {
        var deferred = false;
        try
        {
            while (true)
            {
                await Task.Delay(Interval, time);
                var taps = pending.Take();
                if (taps == 0 && !deferred)
                {
                    if (pending.TryStop()) return;
                    continue;
                }
                LikeTally tally;
                try
                {
                    tally = await counter.AddAsync(channelId, taps, CancellationToken.None);
                }
                catch (Exception ex)
                {
                    // Not lost: added again at the next interval.
                    Log.LikesFailed(logger, channelId, ex);
                    pending.Add(taps);
                    continue;
                }
                deferred = tally.Deferred;
                if (tally.Announce)
                    await events.PublishSafeAsync(new RoomEvent { ChannelId = channelId, Kind = RoomEventKind.Likes, LikesTotal = tally.Total, LikesAdded = tally.Added });
            }
        }
        catch (Exception ex)
        {
            Log.LikesFailed(logger, channelId, ex);
            pending.Stop();
        }
    }
}
