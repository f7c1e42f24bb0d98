namespace Relay.Ingest.Ffmpeg;

/// <summary>Result of <see cref="FfmpegReadinessProbe.CheckAsync"/>: usable, or why not.</summary>
public sealed record FfmpegReadiness(bool Usable, string? Version, string? Problem);
