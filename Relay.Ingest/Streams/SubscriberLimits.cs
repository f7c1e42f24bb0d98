namespace Relay.Ingest.Streams;

/// <summary>Queue bounds of one subscriber.</summary>
/// <param name="MaxTags">Tags queued before the subscriber is considered too slow.</param>
/// <param name="MaxBytes">Bytes queued before the subscriber is considered too slow.</param>
public sealed record SubscriberLimits(int MaxTags = 1024, long MaxBytes = 16 * 1024 * 1024)
{
    /// <summary>Whether the subscriber gets the <c>onCuePoint</c> tags of media-time events (players and the recorder do;
    /// platforms may reject script data they do not know, so egress does not).</summary>
    public bool CuePoints { get; init; } = true;
}
