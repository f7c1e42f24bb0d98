using System.Globalization;

namespace Relay.Ingest.Egress.Transcode;

/// <summary>
/// Builds the ffmpeg command line of a transcoding or an <c>engine: ffmpeg</c> destination. There is no variant in
/// which ffmpeg publishes: the key would be on its command line (any local user reads /proc/*/cmdline) and ffmpeg's
/// rtmps client does not verify certificates.
/// </summary>
public static class FfmpegArguments
{
    /// <summary>
    /// A transcoding or <c>engine: ffmpeg</c> destination: ffmpeg only changes the media (or, without a profile, remuxes
    /// it), FLV in on stdin and out on stdout; Relay's native pusher publishes the result, so the key never reaches a
    /// command line and rtmps certificates are verified.
    /// </summary>
    public static IReadOnlyList<string> BuildTranscode(EgressProfile? profile)
    {
        var args = new List<string> { "-f", "flv", "-i", "pipe:0" };
        AddCodecs(args, profile);
        args.AddRange(["-flush_packets", "1", "-flvflags", "no_duration_filesize", "-f", "flv", "pipe:1"]);
        return args;
    }

    private static void AddCodecs(List<string> args, EgressProfile? profile)
    {

        var encodesVideo = profile is { } p && (p.VideoBitrateKbps ?? p.MaxWidth ?? p.MaxHeight ?? p.Fps) is not null || profile?.KeyframeIntervalSeconds is not null || profile?.Aspect is not null;
        if (encodesVideo)
        {
            var filters = VideoFilters(profile!);
            if (filters.Count > 0)
            {
                args.AddRange(["-vf", string.Join(',', filters)]);
            }

            args.AddRange(["-c:v", "libx264", "-preset", "veryfast", "-tune", "zerolatency", "-pix_fmt", "yuv420p", "-sc_threshold", "0"]);
            if (profile!.VideoBitrateKbps is int kbps)
            {
                args.AddRange(["-b:v", $"{kbps}k", "-maxrate", $"{kbps}k", "-bufsize", $"{kbps * 2}k"]);
            }

            if (profile.Fps is int fps)
            {
                args.AddRange(["-r", fps.ToString(CultureInfo.InvariantCulture)]);
            }

            var keyframeSeconds = profile.KeyframeIntervalSeconds ?? 2;
            args.AddRange(["-force_key_frames", $"expr:gte(t,n_forced*{keyframeSeconds.ToString(CultureInfo.InvariantCulture)})"]);
        }
        else
        {
            args.AddRange(["-c:v", "copy"]);
        }

        if (profile?.AudioBitrateKbps is int audioKbps)
        {
            args.AddRange(["-c:a", "aac", "-b:a", $"{audioKbps}k", "-ar", "44100"]);
        }
        else if (encodesVideo)
        {
            // Re-encoding video shifts timing slightly; re-encoding audio keeps A/V in step at a negligible cost.
            args.AddRange(["-c:a", "aac", "-b:a", "128k", "-ar", "44100"]);
        }
        else
        {
            args.AddRange(["-c:a", "copy"]);
        }
    }

    private static List<string> VideoFilters(EgressProfile profile)
    {
        var filters = new List<string>();
        switch (profile.Aspect?.Trim().ToLowerInvariant())
        {
            case null or "":
                break;
            case "9:16" or "9:16-crop":
                // Center crop to portrait: the largest 9:16 window of the source.
                filters.Add("crop='trunc(min(iw,ih*9/16)/2)*2':'trunc(min(ih,iw*16/9)/2)*2'");
                break;
            case "9:16-pad":
                filters.Add("pad='trunc(max(iw,ih*9/16)/2)*2':'trunc(max(ih,iw*16/9)/2)*2':(ow-iw)/2:(oh-ih)/2:black");
                break;
        }

        if (profile.MaxWidth is not null || profile.MaxHeight is not null)
        {
            var w = profile.MaxWidth?.ToString(CultureInfo.InvariantCulture) ?? "iw";
            var h = profile.MaxHeight?.ToString(CultureInfo.InvariantCulture) ?? "ih";
            // Fit into the box without upscaling, then keep both sides even for yuv420p.
            filters.Add($"scale='min({w},iw)':'min({h},ih)':force_original_aspect_ratio=decrease");
            filters.Add("scale=trunc(iw/2)*2:trunc(ih/2)*2");
        }

        return filters;
    }
}
