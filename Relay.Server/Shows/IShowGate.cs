namespace Relay.Server.Shows;

/// <summary>
/// Whether a publish that just went live is a show. The seam for rehearsal: a rehearsal publish (the channel's
/// <c>rehearsal</c> flag, OBS's bandwidth test) is live on the ingest but not in public, and must not become a show.
/// The default, <see cref="EveryPublishIsPublic"/>, takes every publish for a public one.
/// </summary>
public interface IShowGate
{
    bool WentLivePublicly(string channelId);
}
