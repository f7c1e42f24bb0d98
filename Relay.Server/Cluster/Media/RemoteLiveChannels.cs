using System.Collections.Concurrent;
using Relay.Server.Diagnostics;
using StackExchange.Redis;

namespace Relay.Server.Cluster.Media;

/// <summary>
/// The channels live on the other nodes, as their owners announce them on <see cref="RedisChannelLeaseStore.LiveChannel"/>:
/// "live" at the take and at every renewal, "offline" at the release. An entry not refreshed for a lease's length is
/// gone, so a killed owner's channel reads offline here within <see cref="ClusterNode.Lease"/>.
/// </summary>
public sealed class RemoteLiveChannels(IConnectionMultiplexer redis, ClusterNode node, TimeProvider time, ILogger<RemoteLiveChannels> logger) : BackgroundService
{
    private readonly ConcurrentDictionary<string, Entry> _live = new(StringComparer.Ordinal);

    /// <summary>Whether another node announced <paramref name="channelId"/> live within the last lease, and since when.</summary>
    public bool TryGetLive(string channelId, out DateTimeOffset since, out string nodeId)
    {
        if (_live.TryGetValue(channelId, out var entry) && time.GetElapsedTime(entry.HeardAt) < node.Lease)
        {
            since = entry.Since;
            nodeId = entry.NodeId;
            return true;
        }

        since = default;
        nodeId = "";
        return false;
    }

    /// <summary>Applies one announcement (own announcements are ignored: this node knows its channels).</summary>
    public void Apply(ChannelLiveAnnouncement? announcement)
    {
        if (announcement is null || announcement.NodeId == node.Id)
        {
            return;
        }

        if (announcement.Live)
        {
            _live[announcement.ChannelId] = new Entry(announcement.NodeId, announcement.Since, time.GetTimestamp());
        }
        else if (_live.TryGetValue(announcement.ChannelId, out var entry) && entry.NodeId == announcement.NodeId)
        {
            _live.TryRemove(new KeyValuePair<string, Entry>(announcement.ChannelId, entry));
        }
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        // Once subscribed, the multiplexer subscribes again by itself after a reconnect; only the first one is retried here.
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await redis.GetSubscriber().SubscribeAsync(RedisChannelLeaseStore.LiveChannel, (_, message) => Apply(ChannelLiveAnnouncement.Parse(message))).ConfigureAwait(false);
                return;
            }
            catch (Exception ex) when (ex is RedisException or TimeoutException)
            {
                ClusterMediaLog.SubscribeFailed(logger, ex.Message);
                await Task.Delay(TimeSpan.FromSeconds(2), time, stoppingToken).ConfigureAwait(false);
            }
        }
    }

    private sealed record Entry(string NodeId, DateTimeOffset Since, long HeardAt);
}
