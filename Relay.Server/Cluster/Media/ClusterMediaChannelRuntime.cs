using Relay.Ingest.Egress;
using Relay.Ingest.Streams;
using Relay.Server.Adapters;
using Relay.Server.Channels;

namespace Relay.Server.Cluster.Media;

/// <summary>
/// The API's view of live channels on a node of a cluster: this node's own (published or mirrored), else what the
/// other nodes announce, so <c>GET /api/v1/channels/{id}</c> says live on every node. A channel live elsewhere and not
/// mirrored here has no measurements on this node (codec, fps are null). Destinations are this node's: they run on
/// the owner. An owner announces a channel when it takes its lease, rehearsal or not: the shared catalog's rehearsal
/// switch says which (a test publish, <c>?bandwidthtest</c>, reads live on the other nodes, though nothing is played there).
/// </summary>
public sealed class ClusterMediaChannelRuntime(MediaChannelRuntime local, LiveChannelRegistry registry, RemoteLiveChannels remote, IChannelRehearsal rehearsal) : IChannelRuntime
{
    public IngestStatus? GetIngest(string channelId)
    {
        var here = local.GetIngest(channelId);
        if (here is not null && !registry.IsMirrored(channelId))
        {
            return here;
        }

        if (!remote.TryGetLive(channelId, out var since, out _))
        {
            return here;
        }

        return here is null ? new IngestStatus(true, rehearsal.IsRehearsal(channelId), since, null, null, null, null, null, null, null) : here with { Since = since };
    }

    public EgressDestinationStatus GetDestination(string channelId, EgressDestination destination) => local.GetDestination(channelId, destination);
}
