using Relay.Ingest.Streams;
using Relay.Server.Shows;

namespace Relay.Server.Adapters;

/// <summary>
/// A show starts only from a public publish: a rehearsal (the channel's switch, or OBS's bandwidth test) is a private
/// session in the ingest registry. The registry already tells observers "live" only for a public session; the gate
/// says the same at the recorder, so a private one could never become a show whatever the order of notifications.
/// </summary>
public sealed class PublicPublishShowGate(LiveChannelRegistry registry) : IShowGate
{
    public bool WentLivePublicly(string channelId) => !registry.IsRehearsing(channelId);
}
