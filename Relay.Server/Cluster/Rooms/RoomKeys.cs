using StackExchange.Redis;

namespace Relay.Server.Cluster.Rooms;

/// <summary>Where a room lives in Redis (docs/scale-out/rooms.md): the keys of one room and the one channel every room
/// event travels on.</summary>
internal static class RoomKeys
{
    /// <summary>One channel for every room: a node hears a room's events from its start, before the room opens there, and
    /// Redis keeps one publisher's messages of one channel in order.</summary>
    public static readonly RedisChannel Events = RedisChannel.Literal("relay:rooms");

    /// <summary>A room's keys are forgotten a day after its last change (its seq starts again from the clock: still higher).</summary>
    public static readonly TimeSpan Ttl = TimeSpan.FromDays(1);

    /// <summary>The state hash's field prefix of a coupon as dropped.</summary>
    public const string CouponField = "coupon:";

    /// <summary>The state hash's field prefix of a coupon's lowest published count.</summary>
    public const string CouponLeftField = "couponLeft:";

    public static RedisKey Seq(string channelId) => $"relay:room:{channelId}:seq";

    /// <summary>Hash: <c>pin</c> (sku), <c>sale</c> (the running sale, JSON), <c>saleId</c>, <c>slow</c> (seconds); per coupon
    /// <c>coupon:{id}</c> (as dropped, JSON), <c>couponEnd:{id}</c> (Unix ms) and <c>couponLeft:{id}</c> (the lowest count
    /// published), a coupon's fields going when a later drop finds it ended; <c>draw</c> (the latest draw, JSON, with its
    /// result once ended), <c>drawEntrants</c> (<c>{drawId} {count}</c>, the highest announced).</summary>
    public static RedisKey State(string channelId) => $"relay:room:{channelId}:state";

    /// <summary>List, oldest first: <c>{seq} {message JSON}</c>, the last <c>Chat:RecentMessages</c>.</summary>
    public static RedisKey Recent(string channelId) => $"relay:room:{channelId}:recent";

    /// <summary>Hash: display id -> muted until (Unix milliseconds).</summary>
    public static RedisKey Mutes(string channelId) => $"relay:room:{channelId}:mutes";

    /// <summary>Hash: node id -> <c>{count}|{expires, Unix ms}</c>, and <c>_last</c> (the counts last published).</summary>
    public static RedisKey Viewers(string channelId) => $"relay:room:{channelId}:viewers";

    /// <summary>Hash: <c>total</c> (the channel's likes), <c>pub</c> (the total last announced). No expiry.</summary>
    public static RedisKey Likes(string channelId) => $"relay:room:{channelId}:likes";

    /// <summary>Taken (SET NX PX 250) by the node that announces a like total: one announcement per interval per room.</summary>
    public static RedisKey LikesPacing(string channelId) => $"relay:room:{channelId}:likes:pace";
}
