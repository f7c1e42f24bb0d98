namespace Relay.Ingest.Streams;

/// <summary>What the ingest knows about a live channel (the <c>ingest</c> object of the channel API).</summary>
/// <param name="Live">The publisher is connected (also while it rehearses).</param>
/// <param name="Rehearsal">The publish is a rehearsal: previewed only, nothing public (contract v2, "Rehearsal").</param>
/// <param name="OnAir">What the channel carries now (<see cref="OnAirSource"/>: primary, backup, slate); null for a mirror.</param>
/// <param name="BackupStandby">A backup publisher is connected and waits, off air.</param>
public sealed record IngestStatus(
    bool Live,
    bool Rehearsal,
    DateTimeOffset Since,
    string? VideoCodec,
    string? AudioCodec,
    int? Width,
    int? Height,
    double? Fps,
    double? BitrateKbps,
    double? KeyframeIntervalSeconds,
    string? OnAir = null,
    bool BackupStandby = false);
