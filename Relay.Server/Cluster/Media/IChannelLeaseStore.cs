namespace Relay.Server.Cluster.Media;

/// <summary>
/// The shared record of who owns a live channel, and the announcements of it (Redis in production:
/// <see cref="RedisChannelLeaseStore"/>). Every change is conditional on the caller's node id, so a node never extends
/// or drops another node's lease.
/// </summary>
public interface IChannelLeaseStore
{
    /// <summary>
    /// Takes the channel for <paramref name="nodeId"/> for <paramref name="lease"/> (also when this node id still holds
    /// it from before a restart) and records the node's URL; null when taken, else the node that holds it.
    /// </summary>
    Task<string?> TryAcquireAsync(string channelId, string nodeId, string? nodeUrl, TimeSpan lease);

    /// <summary>Extends the lease if <paramref name="nodeId"/> still holds it; false when it does not.</summary>
    Task<bool> RenewAsync(string channelId, string nodeId, TimeSpan lease);

    /// <summary>Ends the lease if <paramref name="nodeId"/> still holds it.</summary>
    Task ReleaseAsync(string channelId, string nodeId);

    /// <summary>The node holding the channel now, or null.</summary>
    Task<string?> OwnerAsync(string channelId);

    /// <summary>The internal base URL a node recorded when it took a channel.</summary>
    Task<string?> NodeUrlAsync(string nodeId);

    /// <summary>Tells every node that the channel is live on <paramref name="nodeId"/> (since <paramref name="since"/>) or no longer.</summary>
    Task AnnounceAsync(ChannelLiveAnnouncement announcement);
}
