using Relay.Server.Channels;

namespace Relay.Server.Shows;

/// <summary>A deleted channel's shows go with it, as its recordings go to the archive: a channel created again under the
/// same id lists none of them.</summary>
public sealed class ShowsChannelObserver(IShowStore store) : IChannelObserver
{
    public Task ChannelChangedAsync(string channelId, ChannelChange change, ChannelDefinition? channel, CancellationToken ct) =>
        change == ChannelChange.Deleted ? store.DeleteChannelAsync(channelId, ct) : Task.CompletedTask;
}
