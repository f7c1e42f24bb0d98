using System.Buffers.Binary;
using Relay.Ingest.Media;

namespace Relay.Ingest.Egress.Platforms;

/// <summary>
/// Measures what a destination is being sent from samples of its push's counters (codecs from the sequence headers,
/// keyframe interval from keyframe timestamps, video bitrate over the last keyframe intervals). Single-threaded: the
/// destination's supervisor samples it on its own timer, never on the thread that writes the media.
/// </summary>
public sealed class StreamProfiler
{
    private const int Window = 4;
    private readonly Queue<(uint Timestamp, long VideoBytes, long Count)> _keyframes = new();
    private string? _videoCodec;
    private string? _audioCodec;
    private bool _audio;
    private bool _video;
    private (int Width, int Height)? _picture;

    public void Observe(PushSample sample)
    {
        if (sample.VideoCodecTag is { } video && video.Body.Length > 0)
        {
            _videoCodec = VideoCodecName(video.Body.Span);
            // A tag that is an H.264 frame rather than its header keeps the size already read; another codec has none.
            _picture = PictureSize(video.Body.Span) ?? (_videoCodec == "h264" ? _picture : null);
        }

        if (sample.AudioCodecTag is { } audio && audio.Body.Length > 0)
        {
            _audioCodec ??= AudioCodecName(audio.Body.Span[0] >> 4);
        }

        _audio = sample.HasAudio;
        _video = sample.HasVideo;
        if (sample.Keyframes > 0 && (_keyframes.Count == 0 || _keyframes.Last().Count != sample.Keyframes))
        {
            _keyframes.Enqueue((sample.KeyframeTimestamp, sample.KeyframeVideoBytes, sample.Keyframes));
            if (_keyframes.Count > Window + 1) _keyframes.Dequeue();
        }
    }

    /// <summary>Null until two keyframes were seen (nothing can be said about the GOP before that).</summary>
    public StreamProfile? Current
    {
        get
        {
            if (_keyframes.Count < 2) return null;
            var first = _keyframes.Peek();
            var last = _keyframes.Last();
            var seconds = (last.Timestamp - first.Timestamp) / 1000.0;
            if (seconds <= 0) return null;
            var interval = seconds / (last.Count - first.Count);
            return new StreamProfile(_videoCodec, _audioCodec, _video, _audio, interval, (last.VideoBytes - first.VideoBytes) * 8 / seconds / 1000,
                _picture?.Width, _picture?.Height);
        }
    }

    /// <summary>
    /// The picture size from an H.264 sequence header (legacy FLV: AVCPacketType 0; Enhanced RTMP: avc1 SequenceStart),
    /// both with the AVCDecoderConfigurationRecord from byte 5. Other codecs and frames: null.
    /// </summary>
    private static (int Width, int Height)? PictureSize(ReadOnlySpan<byte> body)
    {
        if (body.Length < 6)
        {
            return null;
        }

        var enhanced = (body[0] & 0x80) != 0;
        var avcSequenceHeader = enhanced
            ? (body[0] & 0x0F) == 0 && BinaryPrimitives.ReadUInt32BigEndian(body[1..]) == 0x61766331
            : (body[0] & 0x0F) == 7 && body[1] == 0;
        return avcSequenceHeader && AvcSps.TryReadDimensionsFromConfigurationRecord(body[5..], out var width, out var height)
            ? (width, height)
            : null;
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
