using StackExchange.Redis;

namespace Relay.Server.Cluster.Media;

/// <summary>
/// Channel leases in Redis: <c>relay:channel-owner:{channelId}</c> = the owner's node id, with a TTL of the lease
/// (SET NX PX). Renewal and release are Lua scripts that compare the value first, so they never touch a lease another
/// node took. The owners' internal URLs are in the hash <see cref="NodeUrlsKey"/>; live/offline announcements go out on
/// <see cref="LiveChannel"/>.
/// </summary>
public sealed class RedisChannelLeaseStore(IConnectionMultiplexer redis) : IChannelLeaseStore
{
    public const string OwnerKeyPrefix = "relay:channel-owner:";
    public const string NodeUrlsKey = "relay:channel-owner-urls";
    public const string LiveChannelName = "relay:channel-live";

    public static readonly RedisChannel LiveChannel = RedisChannel.Literal(LiveChannelName);

    // Free, or still ours from before a restart under the same node id: take it. Otherwise answer the holder.
    private const string AcquireScript = """
        local holder = redis.call('GET', KEYS[1])
        if holder == false then
          redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2], 'NX')
        elseif holder == ARGV[1] then
          redis.call('PEXPIRE', KEYS[1], ARGV[2])
        else
          return holder
        end
        if ARGV[3] ~= '' then
          redis.call('HSET', KEYS[2], ARGV[1], ARGV[3])
        end
        return ''
        """;

    private const string RenewScript = """
        if redis.call('GET', KEYS[1]) == ARGV[1] then
          return redis.call('PEXPIRE', KEYS[1], ARGV[2])
        end
        return 0
        """;

    private const string ReleaseScript = """
        if redis.call('GET', KEYS[1]) == ARGV[1] then
          return redis.call('DEL', KEYS[1])
        end
        return 0
        """;

    public static RedisKey OwnerKey(string channelId) => new(OwnerKeyPrefix + channelId);

    public async Task<string?> TryAcquireAsync(string channelId, string nodeId, string? nodeUrl, TimeSpan lease)
    {
        var result = await redis.GetDatabase().ScriptEvaluateAsync(AcquireScript,
            [OwnerKey(channelId), new RedisKey(NodeUrlsKey)],
            [nodeId, (long)lease.TotalMilliseconds, nodeUrl ?? ""]).ConfigureAwait(false);
        var holder = (string?)result;
        return string.IsNullOrEmpty(holder) ? null : holder;
    }

    public async Task<bool> RenewAsync(string channelId, string nodeId, TimeSpan lease)
    {
        var result = await redis.GetDatabase().ScriptEvaluateAsync(RenewScript, [OwnerKey(channelId)], [nodeId, (long)lease.TotalMilliseconds]).ConfigureAwait(false);
        return (long)result == 1;
    }

    public Task ReleaseAsync(string channelId, string nodeId) =>
        redis.GetDatabase().ScriptEvaluateAsync(ReleaseScript, [OwnerKey(channelId)], [nodeId]);

    public async Task<string?> OwnerAsync(string channelId) => await redis.GetDatabase().StringGetAsync(OwnerKey(channelId)).ConfigureAwait(false);

    public async Task<string?> NodeUrlAsync(string nodeId) => await redis.GetDatabase().HashGetAsync(NodeUrlsKey, nodeId).ConfigureAwait(false);

    public Task AnnounceAsync(ChannelLiveAnnouncement announcement) =>
        redis.GetSubscriber().PublishAsync(LiveChannel, announcement.ToString());
}
