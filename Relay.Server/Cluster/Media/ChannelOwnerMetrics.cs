using Prometheus;

namespace Relay.Server.Cluster.Media;

/// <summary>
/// <c>relay_channel_owner{channel,node}</c>: 1 on the node that holds the channel's lease; the series goes when it lets
/// go. The <c>node</c> label is the registry's static label every series of a cluster node carries (NodeMetricLabels).
/// </summary>
public static class ChannelOwnerMetrics
{
    public static readonly Gauge Owner = Metrics.CreateGauge(
        "relay_channel_owner", "1 on the node of a cluster that owns the live channel (holds its lease in Redis).", "channel");
}
