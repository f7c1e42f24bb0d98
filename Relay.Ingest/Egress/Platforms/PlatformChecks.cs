namespace Relay.Ingest.Egress.Platforms;

/// <summary>Compares what a destination receives with its platform's published limits.</summary>
public static class PlatformChecks
{
    /// <summary>How far from 9:16 a portrait picture may be and still count as 9:16 (720x1280, 1080x1920, 544x960 ...).</summary>
    private const double AspectTolerance = 0.03;

    public static IReadOnlyList<string> Evaluate(PlatformPreset preset, StreamProfile? ingest, EgressProfile? profile)
    {
        if (ingest is null) return [];
        var warnings = new List<string>();
        var keyframe = profile?.KeyframeIntervalSeconds ?? ingest.KeyframeIntervalSeconds;
        double? bitrate = profile?.VideoBitrateKbps ?? ingest.VideoBitrateKbps;
        var transcoded = profile?.Transcodes == true;
        if (preset.MaxKeyframeIntervalSeconds is double maxGop && keyframe is double gop && gop > maxGop + 0.25)
        {
            warnings.Add($"keyframe interval {gop:0.#} s exceeds {preset.DisplayName}'s {maxGop:0.#} s");
        }

        if (preset.MaxVideoBitrateKbps is int maxRate && bitrate is double rate && rate > maxRate * 1.1)
        {
            warnings.Add($"video bitrate {rate:0} kbps exceeds {preset.DisplayName}'s {maxRate} kbps");
        }

        if (preset.RequiresAudioAndVideo && (!ingest.HasAudio || !ingest.HasVideo))
        {
            warnings.Add($"{preset.DisplayName} needs both audio and video; the stream has {(ingest.HasVideo ? "no audio" : "no video")}");
        }

        if (preset.RequiresH264Aac && !transcoded)
        {
            if (ingest.VideoCodec is { } codec && !preset.AcceptsVideoCodec(codec)) warnings.Add($"{preset.DisplayName} expects H.264 video, the stream is {codec}");
            if (ingest.AudioCodec is not null and not "aac") warnings.Add($"{preset.DisplayName} expects AAC audio, the stream is {ingest.AudioCodec}");
        }

        if (SentPicture(ingest, transcoded ? profile : null) is var (width, height))
        {
            if (preset.MaxShortSidePixels is int maxShort && Math.Min(width, height) > maxShort)
            {
                warnings.Add($"resolution {width}x{height} exceeds {preset.DisplayName}'s {maxShort}p");
            }

            if (preset.Vertical && !IsNineBySixteen(width, height))
            {
                warnings.Add($"{preset.DisplayName} is watched in portrait 9:16, the picture is {width}x{height}; give the destination a profile with aspect 9:16");
            }
        }

        return warnings;
    }

    /// <summary>
    /// The picture the platform receives: the ingest's, or what the transcode makes of it (the same crop, pad and fit as
    /// FfmpegArguments: aspect first, then into the max box without upscaling, even sides). Null when the size is unknown.
    /// </summary>
    public static (int Width, int Height)? SentPicture(StreamProfile ingest, EgressProfile? transcode)
    {
        if (ingest.Width is not int width || ingest.Height is not int height || width <= 0 || height <= 0) return null;
        if (transcode is null) return (width, height);
        double w = width, h = height;
        switch (transcode.Aspect?.Trim().ToLowerInvariant())
        {
            case "9:16" or "9:16-crop":
                (w, h) = (Even(Math.Min(w, h * 9 / 16)), Even(Math.Min(h, w * 16 / 9)));
                break;
            case "9:16-pad":
                (w, h) = (Even(Math.Max(w, h * 9 / 16)), Even(Math.Max(h, w * 16 / 9)));
                break;
        }

        if (transcode.MaxWidth is not null || transcode.MaxHeight is not null)
        {
            var scale = Math.Min(Math.Min(transcode.MaxWidth ?? w, w) / w, Math.Min(transcode.MaxHeight ?? h, h) / h);
            (w, h) = (Even(Math.Round(w * scale)), Even(Math.Round(h * scale)));
        }

        return ((int)w, (int)h);
    }

    private static bool IsNineBySixteen(int width, int height) => height > width && Math.Abs((double)width / height - 9.0 / 16) <= AspectTolerance;

    private static double Even(double value) => Math.Floor(value / 2) * 2;
}
