namespace Relay.Ingest.Consumers.Hls;

/// <summary>Settings under <c>Relay:Hls</c>.</summary>
public sealed class HlsOptions
{
    public const string SectionName = "Relay:Hls";

    /// <summary>Package live channels as HLS (<c>/live/{channelId}/index.m3u8</c>).</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>
    /// Target segment length. With <c>-c copy</c> ffmpeg can only cut at keyframes, so a segment is at least this
    /// long and in practice one encoder keyframe interval (2 s with the recommended OBS settings).
    /// </summary>
    public double SegmentSeconds { get; set; } = 1;

    /// <summary>Segments listed in the playlist.</summary>
    public int PlaylistSize { get; set; } = 6;

    /// <summary>How long a playlist request for a channel that just went live waits for the first playlist.</summary>
    public double PlaylistWaitSeconds { get; set; } = 8;

    /// <summary>
    /// Also package live channels as low-latency HLS (<c>/live/{channelId}/ll/index.m3u8</c>): fragmented MP4 parts of
    /// <see cref="PartSeconds"/> made in-process, with blocking playlist reload, for players without Media Source
    /// Extensions (iPhone Safari). H.264 + AAC only.
    /// </summary>
    public bool LowLatency { get; set; } = true;

    /// <summary>Target length of a low-latency part (<c>EXT-X-PART-INF:PART-TARGET</c>); players stay three parts behind the live edge.</summary>
    public double PartSeconds { get; set; } = 0.2;

    /// <summary>Longest pause before a crashed packager is restarted (the pause doubles from 0.5 s up to this).</summary>
    public double MaxRestartDelaySeconds { get; set; } = 10;
}
