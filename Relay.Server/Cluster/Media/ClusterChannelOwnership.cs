using System.Collections.Concurrent;
using Relay.Ingest.Publishing;
using Relay.Server.Diagnostics;

namespace Relay.Server.Cluster.Media;

/// <summary>
/// A cluster's <see cref="IChannelOwnership"/>: the node a publisher reaches takes the channel's lease before the
/// publish is accepted, renews it every third of <see cref="ClusterNode.Lease"/> while live and releases it on
/// unpublish. Another node's lease refuses the publish (<c>already_live</c>); a store that cannot answer refuses it
/// too (<c>ownership_unavailable</c>). A lease that could not be renewed for its length (less a safety margin) is lost:
/// the publish stops before any other node can take the channel.
/// </summary>
public sealed class ClusterChannelOwnership(IChannelLeaseStore store, ClusterNode node, TimeProvider time, ILogger<ClusterChannelOwnership> logger) : IChannelOwnership, IAsyncDisposable
{
    private readonly ConcurrentDictionary<string, ClusterChannelLease> _held = new(StringComparer.Ordinal);

    internal IChannelLeaseStore Store => store;

    internal ClusterNode Node => node;

    internal TimeProvider Time => time;

    internal ILogger Logger => logger;

    /// <summary>Renewal period: a third of the lease, so two renewals may fail before it runs out.</summary>
    public TimeSpan RenewInterval => node.Lease / 3;

    /// <summary>
    /// Time after the last confirmed renewal at which this node gives the channel up: the lease less half a renewal
    /// period, so the publish has stopped before the key can expire in Redis and another node take it.
    /// </summary>
    public TimeSpan GiveUpAfter => node.Lease - RenewInterval / 2;

    /// <summary>
    /// How long a claim may wait for the store before the publish is refused: two thirds of the lease, at most 5 s (the
    /// lease counts from when the claim was sent, so a slow answer still leaves a renewal before it runs out).
    /// </summary>
    public TimeSpan ClaimTimeout => TimeSpan.FromMilliseconds(Math.Min(5000, node.Lease.TotalMilliseconds * 2 / 3));

    /// <summary>Channels this node holds now.</summary>
    public IReadOnlyCollection<string> Held => [.. _held.Keys];

    public async ValueTask<ChannelClaim> ClaimAsync(string channelId, CancellationToken cancellationToken)
    {
        var lease = new ClusterChannelLease(this, channelId, time.GetUtcNow());
        if (!_held.TryAdd(channelId, lease))
        {
            // A publisher on this node has it (or is taking it right now).
            return ChannelClaim.HeldElsewhere;
        }

        var sent = time.GetTimestamp();
        string? holder;
        try
        {
            holder = await store.TryAcquireAsync(channelId, node.Id, node.InternalUrl, node.Lease).WaitAsync(ClaimTimeout, time, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            Forget(lease);
            if (ex is OperationCanceledException && cancellationToken.IsCancellationRequested)
            {
                throw;
            }

            ClusterMediaLog.ClaimFailed(logger, channelId, ex is TimeoutException ? $"no answer within {ClaimTimeout.TotalSeconds:0.#} s" : ex.Message);
            return ChannelClaim.Unavailable;
        }

        if (holder is not null)
        {
            Forget(lease);
            ClusterMediaLog.HeldElsewhere(logger, channelId, holder);
            return ChannelClaim.HeldElsewhere;
        }

        ChannelOwnerMetrics.Owner.WithLabels(channelId).Set(1);
        ClusterMediaLog.Owned(logger, channelId, node.Id);
        lease.Start(sent);
        return ChannelClaim.Owned(lease);
    }

    /// <summary>The lease no longer counts as held here (released or lost).</summary>
    internal void Forget(ClusterChannelLease lease)
    {
        if (_held.TryRemove(new KeyValuePair<string, ClusterChannelLease>(lease.ChannelId, lease)) && lease.Started)
        {
            ChannelOwnerMetrics.Owner.RemoveLabelled(lease.ChannelId);
        }
    }

    /// <summary>Fire and forget: a missed announcement is made good by the next renewal's (or the receivers' expiry).</summary>
    internal async Task AnnounceAsync(ChannelLiveAnnouncement announcement)
    {
        try
        {
            await store.AnnounceAsync(announcement).ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            ClusterMediaLog.AnnounceFailed(logger, announcement.ChannelId, announcement.Live ? "live" : "offline", ex.Message);
        }
    }

    /// <summary>Shutdown: every lease this node still holds is released (publishers are cut by the gateway's own stop).</summary>
    public async ValueTask DisposeAsync()
    {
        foreach (var lease in _held.Values.ToArray())
        {
            await lease.DisposeAsync().ConfigureAwait(false);
        }
    }
}
