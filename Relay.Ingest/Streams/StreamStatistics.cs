using Relay.Ingest.Media;

namespace Relay.Ingest.Streams;

/// <summary>
/// Derives codec, resolution, frame rate, bitrate and keyframe interval from the tags of one live stream.
/// Rates use media timestamps over a sliding window, so they describe the stream itself, not how the network
/// delivered it. Not thread-safe: called under the hub's publish lock.
/// </summary>
internal sealed class StreamStatistics
{
    private static readonly uint WindowMilliseconds = 3000;
    private readonly Queue<(uint Timestamp, int Bytes, bool Video)> _window = new();
    private long _windowBytes;
    private int _windowVideoFrames;
    private uint? _lastKeyframe;

    public string? VideoCodec { get; private set; }
    public string? AudioCodec { get; private set; }
    public int? Width { get; private set; }
    public int? Height { get; private set; }
    public double? MetadataFps { get; private set; }
    public double? KeyframeIntervalSeconds { get; private set; }
    public long TotalBytes { get; private set; }

    public void Observe(FlvTag tag)
    {
        TotalBytes += tag.Serialized.Length;
        var body = tag.Body.Span;
        switch (tag.Kind)
        {
            case FlvTagKind.Metadata:
                ObserveMetadata(body);
                return;
            case FlvTagKind.VideoSequenceHeader:
                VideoCodec = FlvCodecs.VideoCodecName(body) ?? VideoCodec;
                if (FlvCodecs.TryReadAvcDimensions(body, out var w, out var h))
                {
                    Width = w;
                    Height = h;
                }

                return;
            case FlvTagKind.AudioSequenceHeader:
                AudioCodec = FlvCodecs.AudioCodecName(body) ?? AudioCodec;
                return;
            case FlvTagKind.AudioFrame:
                AudioCodec ??= FlvCodecs.AudioCodecName(body);
                break;
            case FlvTagKind.VideoKeyframe:
                VideoCodec ??= FlvCodecs.VideoCodecName(body);
                if (_lastKeyframe is { } previous && tag.Timestamp > previous)
                {
                    KeyframeIntervalSeconds = (tag.Timestamp - previous) / 1000.0;
                }

                _lastKeyframe = tag.Timestamp;
                break;
            case FlvTagKind.VideoInterframe:
                VideoCodec ??= FlvCodecs.VideoCodecName(body);
                break;
            default:
                return;
        }

        _window.Enqueue((tag.Timestamp, tag.Serialized.Length, tag.IsVideo));
        _windowBytes += tag.Serialized.Length;
        _windowVideoFrames += tag.IsVideo ? 1 : 0;
        while (_window.Count > 1 && (tag.Timestamp < _window.Peek().Timestamp || tag.Timestamp - _window.Peek().Timestamp > WindowMilliseconds))
        {
            var old = _window.Dequeue();
            _windowBytes -= old.Bytes;
            _windowVideoFrames -= old.Video ? 1 : 0;
        }
    }

    private uint WindowSpan => _window.Count < 2 ? 0 : _window.Last().Timestamp - _window.Peek().Timestamp;

    /// <summary>Frames per second over the window; the metadata value until the window holds a second of video.</summary>
    public double? Fps => WindowSpan >= 1000 && _windowVideoFrames > 1
        ? Math.Round((_windowVideoFrames - 1) * 1000.0 / WindowSpan, 2)
        : MetadataFps;

    public double? BitsPerSecond => WindowSpan >= 1000 ? Math.Round(_windowBytes * 8 * 1000.0 / WindowSpan) : null;

    private void ObserveMetadata(ReadOnlySpan<byte> body)
    {
        var metadata = FlvCodecs.ReadMetadata(body);
        if (metadata is null)
        {
            return;
        }

        if (Width is null && metadata.TryGetValue("width", out var width) && width is double wd && wd is > 0 and < 16384)
        {
            Width = (int)wd;
        }

        if (Height is null && metadata.TryGetValue("height", out var height) && height is double hd && hd is > 0 and < 16384)
        {
            Height = (int)hd;
        }

        if (metadata.TryGetValue("framerate", out var fps) && fps is double f && f is > 0 and < 1000)
        {
            MetadataFps = f;
        }
    }
}
