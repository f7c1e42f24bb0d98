namespace Relay.Ingest.Streams;

/// <summary>What the ingest knows about a live channel (the <c>ingest</c> object of the channel API).</summary>
public sealed record IngestStatus(
    bool Live,
    DateTimeOffset Since,
    string? VideoCodec,
    string? AudioCodec,
    int? Width,
    int? Height,
    double? Fps,
    double? BitrateKbps,
    double? KeyframeIntervalSeconds);
