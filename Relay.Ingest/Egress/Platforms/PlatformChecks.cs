namespace Relay.Ingest.Egress.Platforms;

/// <summary>Compares what a destination receives with its platform's published limits.</summary>
public static class PlatformChecks
{
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
            if (ingest.VideoCodec is not null and not "h264") warnings.Add($"{preset.DisplayName} expects H.264 video, the stream is {ingest.VideoCodec}");
            if (ingest.AudioCodec is not null and not "aac") warnings.Add($"{preset.DisplayName} expects AAC audio, the stream is {ingest.AudioCodec}");
        }

        return warnings;
    }
}
