using Microsoft.Extensions.Options;

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

    /// <summary>Longest pause before a crashed packager is restarted (the pause doubles from 0.5 s up to this).</summary>
    public double MaxRestartDelaySeconds { get; set; } = 10;
}

/// <summary>Collects every problem in <see cref="HlsOptions"/> so one start reports them all.</summary>
public sealed class HlsOptionsValidator : IValidateOptions<HlsOptions>
{
    public ValidateOptionsResult Validate(string? name, HlsOptions options)
    {
        var errors = new List<string>();
        const string p = HlsOptions.SectionName;
        if (!(options.SegmentSeconds >= 0.5 && options.SegmentSeconds <= 30))
        {
            errors.Add($"{p}:SegmentSeconds must be 0.5-30 (got {options.SegmentSeconds})");
        }

        if (options.PlaylistSize is < 3 or > 100)
        {
            errors.Add($"{p}:PlaylistSize must be 3-100 (got {options.PlaylistSize})");
        }

        if (!(options.PlaylistWaitSeconds >= 0 && options.PlaylistWaitSeconds <= 60))
        {
            errors.Add($"{p}:PlaylistWaitSeconds must be 0-60 (got {options.PlaylistWaitSeconds})");
        }

        if (!(options.MaxRestartDelaySeconds >= 0.5 && options.MaxRestartDelaySeconds <= 600))
        {
            errors.Add($"{p}:MaxRestartDelaySeconds must be 0.5-600 (got {options.MaxRestartDelaySeconds})");
        }

        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }
}
