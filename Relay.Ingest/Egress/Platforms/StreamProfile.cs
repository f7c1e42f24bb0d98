namespace Relay.Ingest.Egress.Platforms;

/// <summary>What a destination is actually being sent, measured from the frames it forwards (<see cref="StreamProfiler"/>).</summary>
public sealed record StreamProfile(string? VideoCodec, string? AudioCodec, bool HasVideo, bool HasAudio, double? KeyframeIntervalSeconds, double? VideoBitrateKbps);
