namespace Relay.Ingest.Ffmpeg;

/// <summary>How to start one ffmpeg child.</summary>
/// <param name="Role">Metrics/log label: <c>ingest</c>, <c>egress</c>, <c>hls</c>...</param>
/// <param name="Arguments">Arguments after the common <c>-hide_banner -nostats -loglevel warning</c>.</param>
/// <param name="StdinIsMedia">True when stdin carries media (stop = close stdin); false = stop by writing 'q'.</param>
/// <param name="StderrFilter">
/// Rewrites or drops (returns null) a stderr line before it is kept or logged. The ingest uses it to drop
/// ffmpeg's <c>Unexpected stream KEY, expecting x</c>, which would leak the stream key.
/// </param>
public sealed record FfmpegStartInfo(
    string Role,
    IReadOnlyList<string> Arguments,
    bool StdinIsMedia = false,
    Func<string, string?>? StderrFilter = null);
