namespace Relay.Ingest.Mirroring;

/// <summary>
/// Where a channel that is live on another node of a cluster can be pulled from. Implemented by the server (the
/// channel's lease names its owner; the owner serves its internal HTTP-FLV to the other nodes).
/// </summary>
public interface IChannelOrigin
{
    /// <summary>
    /// The channel's stream as its owner serves it (an FLV file header, then its tags from the cached keyframe on), or
    /// null when no other node has the channel live. Throws when the owner is known but cannot be reached (the caller
    /// retries with backoff). Disposing the stream ends the pull.
    /// </summary>
    Task<Stream?> OpenAsync(string channelId, CancellationToken cancellationToken);
}
