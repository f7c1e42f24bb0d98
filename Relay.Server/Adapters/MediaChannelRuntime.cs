using Relay.Ingest.Streams;
using Relay.Ingest.Egress;
using Relay.Server.Channels;

namespace Relay.Server.Adapters;

/// <summary>The API's view of live channels and their destinations, read from the ingest registry and the egress.</summary>
public sealed class MediaChannelRuntime(LiveChannelRegistry registry, EgressManager egress) : IChannelRuntime
{
    /// <summary>Also while the channel rehearses (<see cref="IngestStatus.Rehearsal"/>): the studio shows its preview's numbers.</summary>
    public IngestStatus? GetIngest(string channelId) => registry.GetStatus(channelId) is { Live: true } s ? s : null;

    public EgressDestinationStatus GetDestination(string channelId, EgressDestination destination) =>
        destination.Enabled
            ? egress.GetStatus(channelId, destination.Id)
            : EgressDestinationStatus.Unknown(destination.Id) with { State = EgressState.Disabled };
}
