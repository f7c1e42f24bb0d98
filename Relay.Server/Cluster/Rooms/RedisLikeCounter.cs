using System.Globalization;
using Relay.Chat.Ledger;
using StackExchange.Redis;

namespace Relay.Server.Cluster.Rooms;

/// <summary>
/// A cluster's like totals (docs/scale-out/rooms.md): INCRBY on the channel's likes hash in Redis, exact whatever node
/// the taps reach. The same script decides which node announces: a total not yet announced is announced by the node that
/// takes the room's pacing key (SET NX PX 250); a node that finds it taken asks again after the interval, so the room
/// hears at most 4 `likes` a second over all nodes and the last total is always announced. The hash has no expiry: the
/// total is the channel's, across shows.
/// </summary>
internal sealed class RedisLikeCounter(IConnectionMultiplexer redis) : ILikeCounter
{
    private const int PacingMilliseconds = 250;

    /// <summary>KEYS: likes hash, pacing key. ARGV: taps, pacing ms. Returns {total, added, state}: state 1 = announce,
    /// 2 = another node announced a moment ago (ask again), 0 = nothing new to announce.</summary>
    private const string Add = """
        local total = redis.call('HINCRBY', KEYS[1], 'total', ARGV[1])
        local pub = tonumber(redis.call('HGET', KEYS[1], 'pub') or '0')
        if total <= pub then return { tostring(total), '0', 0 } end
        if redis.call('SET', KEYS[2], '1', 'NX', 'PX', ARGV[2]) then
          redis.call('HSET', KEYS[1], 'pub', total)
          return { tostring(total), tostring(total - pub), 1 }
        end
        return { tostring(total), '0', 2 }
        """;

    public async Task<LikeTally> AddAsync(string channelId, long taps, CancellationToken cancellationToken)
    {
        var result = (RedisResult[])(await redis.GetDatabase().ScriptEvaluateAsync(Add,
            [RoomKeys.Likes(channelId), RoomKeys.LikesPacing(channelId)], [taps, PacingMilliseconds]))!;
        var total = long.Parse((string)result[0]!, CultureInfo.InvariantCulture);
        var added = long.Parse((string)result[1]!, CultureInfo.InvariantCulture);
        var state = (int)result[2];
        return new LikeTally(total, Announce: state == 1, Added: added, Deferred: state == 2);
    }

    public async Task<long> TotalAsync(string channelId, CancellationToken cancellationToken) =>
        await redis.GetDatabase().HashGetAsync(RoomKeys.Likes(channelId), "total") is { HasValue: true } total ? (long)total : 0;
}
