using Relay.Ingest.Egress;
using Relay.Server.Channels;

namespace Relay.Server.Adapters;

/// <summary>
/// Keeps the egress's desired destinations equal to the store's: every change is applied at once
/// (live channels start, stop or restart only what changed), a deleted channel's pushes end.
/// </summary>
public sealed class EgressChannelObserver(EgressManager egress) : IChannelObserver
{
    public Task ChannelChangedAsync(string channelId, ChannelChange change, ChannelDefinition? channel, CancellationToken ct) => change switch
    {
        ChannelChange.Deleted => egress.RemoveChannelAsync(channelId),
        ChannelChange.Created or ChannelChange.DestinationsChanged when channel is not null =>
            egress.ApplyAsync(channelId, channel.Destinations, ct),
        _ => Task.CompletedTask,
    };
}
