using Relay.Ingest.Channels;
using Relay.Ingest.Egress;
using Relay.Server.Channels;

namespace Relay.Server.Adapters;

/// <summary>The API's view of live channels and their destinations, read from the ingest registry and the egress.</summary>
public sealed class MediaChannelRuntime(LiveChannelRegistry registry, EgressManager egress) : IChannelRuntime
{
    public IngestView? GetIngest(string channelId) =>
        registry.GetStatus(channelId) is { Live: true } s
            ? new IngestView(s.Since, s.VideoCodec, s.AudioCodec, s.Width, s.Height, s.Fps, s.BitrateKbps, s.KeyframeIntervalSeconds)
            : null;

    public DestinationRuntime GetDestination(string channelId, Destination destination)
    {
        if (!destination.Enabled)
        {
            return new DestinationRuntime("disabled");
        }
        var s = egress.GetStatus(channelId, destination.Id);
        return new DestinationRuntime(s.StateName, s.Reconnects, s.LastError, s.BitrateKbps, s.DroppedFrames, s.Warnings);
    }
}
