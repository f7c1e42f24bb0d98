using Relay.Ingest.Consumers.Recording;
using Relay.Ingest.Diagnostics;
using Relay.Ingest.Egress.Diagnostics;

namespace Relay.Server.Observability;

/// <summary>
/// Every metric of the contract is on the first scrape, with its HELP and TYPE, even on a Relay that has not yet seen a
/// publisher, a destination or an ffmpeg: dashboards and alert rules (and `absent()`) can then tell "zero" from "not
/// exported". prometheus-net registers a family when its static holder is first touched, so that happens here at
/// start; the ffmpeg gauge also gets its known roles at 0, as `sum by (role)` panels expect.
/// </summary>
public static class ContractMetrics
{
    /// <summary>The roles <c>relay_ffmpeg_processes</c> uses (ingest listener, HLS packager, egress transcode).</summary>
    public static readonly string[] FfmpegRoles = ["ingest", "hls", "egress"];

    public static void Publish()
    {
        _ = IngestMetrics.Live;
        _ = EgressMetrics.Up;
        _ = RecordingMetrics.Active;
        _ = Cluster.Media.ChannelOwnerMetrics.Owner;
        foreach (var role in FfmpegRoles)
        {
            // A child is exported (at 0) from its creation; nothing is set, so a running count is never overwritten.
            IngestMetrics.FfmpegProcesses.WithLabels(role);
        }
    }
}
