using Relay.Ingest.Streams;
using Relay.Server.Channels;

namespace Relay.Server.Adapters;

/// <summary>The ingest's view of the rehearsal switch, read from the catalog in memory on every publish and every turn.</summary>
/// <remarks>
/// The catalog is resolved on first use: the ingest registry takes this in its constructor, and the catalog's
/// observers take the registry (<see cref="IngestChannelObserver"/>), a loop the container cannot close.
/// </remarks>
public sealed class CatalogRehearsal(IServiceProvider services) : IChannelRehearsal
{
    public bool IsRehearsal(string channelId) => services.GetRequiredService<ChannelService>().Find(channelId) is { Rehearsal: true };
}
