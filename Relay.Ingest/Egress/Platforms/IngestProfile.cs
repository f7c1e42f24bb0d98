using System.Buffers.Binary;
using Relay.Ingest.Media;

namespace Relay.Ingest.Egress.Platforms;

/// <summary>What a destination is actually being sent, measured from the frames it forwards.</summary>
public sealed record IngestProfile(string? VideoCodec, string? AudioCodec, bool HasVideo, bool HasAudio, double? KeyframeIntervalSeconds, double? VideoBitrateKbps);

/// <summary>
/// Measures the stream from the frames one destination forwards (codecs from the sequence headers, keyframe
/// interval from keyframe timestamps, video bitrate over the last keyframe intervals). Single-threaded: the
/// destination's sender calls it.
/// </summary>
public sealed class IngestProfiler
{
    private const int Window = 4;
    private readonly Queue<(uint Timestamp, long Bytes)> _keyframes = new();
    private string? _videoCodec;
    private string? _audioCodec;
    private bool _audio;
    private bool _video;
    private long _videoBytes;

    public void Observe(FlvTag frame)
    {
        var body = frame.Body.Span;
        switch (frame.Kind)
        {
            case FlvTagKind.VideoSequenceHeader when body.Length > 0:
                _videoCodec = VideoCodecName(body);
                break;
            case FlvTagKind.AudioSequenceHeader or FlvTagKind.AudioFrame when body.Length > 0:
                _audio = true;
                _audioCodec ??= AudioCodecName(body[0] >> 4);
                break;
            case FlvTagKind.VideoKeyframe:
                _video = true;
                _videoBytes += body.Length;
                _keyframes.Enqueue((frame.Timestamp, _videoBytes));
                if (_keyframes.Count > Window + 1) _keyframes.Dequeue();
                break;
            case FlvTagKind.VideoInterframe:
                _video = true;
                _videoCodec ??= body.Length > 0 ? VideoCodecName(body) : null;
                _videoBytes += body.Length;
                break;
        }
    }

    /// <summary>Null until two keyframes were seen (nothing can be said about the GOP before that).</summary>
    public IngestProfile? Current
    {
        get
        {
            if (_keyframes.Count < 2) return null;
            var first = _keyframes.Peek();
            var last = _keyframes.Last();
            var seconds = (last.Timestamp - first.Timestamp) / 1000.0;
            if (seconds <= 0) return null;
            var interval = seconds / (_keyframes.Count - 1);
            return new IngestProfile(_videoCodec, _audioCodec, _video, _audio, interval, (last.Bytes - first.Bytes) * 8 / seconds / 1000);
        }
    }

    private static string VideoCodecName(ReadOnlySpan<byte> body)
    {
        if ((body[0] & 0x80) != 0 && body.Length >= 5)
        {
            // Enhanced RTMP: a FourCC follows the header byte.
            return BinaryPrimitives.ReadUInt32BigEndian(body[1..]) switch
            {
                0x68766331 => "hevc",
                0x61763031 => "av1",
                0x76703039 => "vp9",
                0x61766331 => "h264",
                _ => "other",
            };
        }

        return (body[0] & 0x0F) switch { 7 => "h264", 12 => "hevc", 2 => "h263", 4 or 5 => "vp6", _ => "other" };
    }

    private static string AudioCodecName(int format) => format switch { 10 => "aac", 2 => "mp3", 11 => "speex", 7 or 8 => "g711", _ => "other" };
}

/// <summary>Compares what a destination receives with its platform's published limits.</summary>
public static class PlatformChecks
{
    public static IReadOnlyList<string> Evaluate(PlatformPreset preset, IngestProfile? ingest, EgressProfile? profile)
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
