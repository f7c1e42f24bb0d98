using Relay.Ingest.Streams;
using Relay.Ingest.Egress;

namespace Relay.Server.Channels;

/// <summary>
/// The server's view of the media plane, so the API can report live state without knowing
/// how ingest and egress are built. The media plane provides the real implementation.
/// </summary>
public interface IChannelRuntime
{
    /// <summary>null while the channel has no publisher; <see cref="IngestStatus.Rehearsal"/> while it rehearses (not public).</summary>
    IngestStatus? GetIngest(string channelId);

    EgressDestinationStatus GetDestination(string channelId, EgressDestination destination);
}
