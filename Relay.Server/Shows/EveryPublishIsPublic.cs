namespace Relay.Server.Shows;

/// <summary>
/// Every publish is a public one: the default for a host without an ingest registry (tests of the recorder alone);
/// the server registers <c>PublicPublishShowGate</c>, which leaves rehearsals out (see <see cref="IShowGate"/>).
/// </summary>
public sealed class EveryPublishIsPublic : IShowGate
{
    public bool WentLivePublicly(string channelId) => true;
}
