namespace Relay.Ingest.Publishing;

/// <summary>
/// Decides whether a publish may go live. Implemented by the server (channel store lookup by stream key).
/// Called once per publish attempt, before any media is forwarded; must honour the token (the gateway's
/// handshake deadline).
/// </summary>
public interface IPublishAuthorizer
{
    ValueTask<PublishDecision> AuthorizeAsync(PublishRequest request, CancellationToken cancellationToken);
}
