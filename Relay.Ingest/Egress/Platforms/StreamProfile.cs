namespace Relay.Ingest.Egress.Platforms;

/// <summary>What a destination is actually being sent, measured from the frames it forwards (<see cref="StreamProfiler"/>).</summary>
/// <param name="Width">The picture's width from the H.264 sequence header; null for other codecs or before one was seen.</param>
public sealed record StreamProfile(
    string? VideoCodec,
    string? AudioCodec,
    bool HasVideo,
    bool HasAudio,
    double? KeyframeIntervalSeconds,
    double? VideoBitrateKbps,
    int? Width = null,
    int? Height = null);
