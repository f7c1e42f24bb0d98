namespace Relay.Ingest.Streams;

/// <summary>Queue bounds of one subscriber.</summary>
/// <param name="MaxTags">Tags queued before the subscriber is considered too slow.</param>
/// <param name="MaxBytes">Bytes queued before the subscriber is considered too slow.</param>
public sealed record SubscriberLimits(int MaxTags = 1024, long MaxBytes = 16 * 1024 * 1024);
