using System.Globalization;
using System.Text.Json;
using Relay.Ingest.Amf0;
using Relay.Ingest.Media;

namespace Relay.Ingest.Consumers.Hls;

/// <summary>
/// Turns a channel's FLV tags (H.264 + AAC) into LL-HLS parts and segments in a <see cref="LowLatencyStream"/>. A part
/// closes when the next video frame would make it longer than the part target; a segment closes at a keyframe once it
/// is at least <see cref="HlsOptions.SegmentSeconds"/> long (so a segment is one keyframe interval of the encoder). A
/// frame's duration is known when the next one arrives, so each video frame is held until then. Changed codec
/// parameters (a new sequence header, e.g. after the slate or a backup input) start a new segment with a new init
/// segment and a discontinuity at the next keyframe. Streams without H.264 video are not packaged (say so in
/// <see cref="Unsupported"/>). Not thread-safe: one reader feeds it.
/// </summary>
internal sealed class LowLatencyMuxer(LowLatencyStream stream, HlsOptions options, TimeProvider time)
{
    private const int AvcCodecId = 7;
    private const int AacFormat = 10;
    private const int AacFrameSamples = 1024;

    /// <summary>The TXXX description of a cue's ID3 frame, which the watch page looks for.</summary>
    public const string CueDescription = "relay-cue";

    private readonly List<Fmp4Sample> _video = [];
    private readonly List<Fmp4Sample> _audio = [];
    private readonly List<byte[]> _events = [];
    private readonly long _partTargetMs = (long)Math.Round(options.PartSeconds * 1000);
    private readonly long _segmentTargetMs = (long)Math.Round(options.SegmentSeconds * 1000);
    private byte[]? _avcConfig;
    private byte[]? _aacConfig;
    private AacAudioConfig _aac;
    private Fmp4Tracks? _tracks;
    private bool _tracksChanged;
    private int _initVersion;
    private long _sequence = -1;
    private uint _fragment;
    private (long Ms, int Cts, bool Key, ReadOnlyMemory<byte> Data)? _pendingVideo;
    private long _partStartMs;
    private long _segmentStartMs;
    private bool _partIndependent;
    private long _lastFrameGapMs = 33;

    /// <summary>Why this stream cannot be packaged (not H.264, or no AAC), or null.</summary>
    public string? Unsupported { get; private set; }

    public void Add(FlvTag tag)
    {
        switch (tag.Kind)
        {
            case FlvTagKind.VideoSequenceHeader:
                OnVideoHeader(tag.Body.Span);
                break;
            case FlvTagKind.AudioSequenceHeader:
                OnAudioHeader(tag.Body.Span);
                break;
            case FlvTagKind.VideoKeyframe:
            case FlvTagKind.VideoInterframe:
                OnVideo(tag);
                break;
            case FlvTagKind.AudioFrame:
                OnAudio(tag);
                break;
            case FlvTagKind.CuePoint:
                OnCuePoint(tag);
                break;
        }
    }

    /// <summary>The publisher has gone: the last frame, part and segment are written.</summary>
    public void Finish()
    {
        if (_pendingVideo is { } last)
        {
            _video.Add(Sample(last, (int)(_lastFrameGapMs * 90)));
            _pendingVideo = null;
            ClosePart(last.Ms + _lastFrameGapMs);
        }

        stream.CloseSegment();
        stream.End();
    }

    private void OnVideoHeader(ReadOnlySpan<byte> body)
    {
        // An AVC sequence header: codec id 7, AVCPacketType 0, a 24-bit composition time, the configuration record.
        if (body.Length < 6 || (body[0] & 0x0F) != AvcCodecId || body[1] != 0)
        {
            if (body.Length > 0 && (body[0] & 0x0F) != AvcCodecId) Unsupported = "the video is not H.264 (low-latency HLS packages H.264 only)";
            return;
        }

        var config = body[5..].ToArray();
        if (_avcConfig is not null && _avcConfig.AsSpan().SequenceEqual(config)) return;
        _avcConfig = config;
        _tracksChanged = true;
    }

    private void OnAudioHeader(ReadOnlySpan<byte> body)
    {
        if (body.Length < 4 || body[0] >> 4 != AacFormat || body[1] != 0 || !AacAudioConfig.TryRead(body[2..], out var aac)) return;
        var config = body[2..].ToArray();
        if (_aacConfig is not null && _aacConfig.AsSpan().SequenceEqual(config)) return;
        _aacConfig = config;
        _aac = aac;
        _tracksChanged = true;
    }

    private void OnVideo(FlvTag tag)
    {
        var body = tag.Body;
        if (body.Length < 6 || (body.Span[0] & 0x0F) != AvcCodecId || body.Span[1] != 1) return;
        var span = body.Span;
        var cts = (span[2] << 16 | span[3] << 8 | span[4]) << 8 >> 8; // signed 24 bits
        var frame = (Ms: (long)tag.Timestamp, Cts: cts, Key: tag.IsKeyframe, Data: body[5..]);

        if (_tracks is null || _tracksChanged)
        {
            // Start (or start over) at a keyframe with the parameters in force.
            if (!frame.Key || _avcConfig is null) return;
            FlushPending(frame.Ms);
            BeginTracks(frame.Ms);
        }
        else
        {
            FlushPending(frame.Ms);
            if (frame.Key && frame.Ms - _segmentStartMs >= _segmentTargetMs)
            {
                ClosePart(frame.Ms);
                stream.CloseSegment();
                StartSegment(frame.Ms, discontinuity: false);
            }
            else if (frame.Ms - _partStartMs + _lastFrameGapMs / 2 >= _partTargetMs && (_video.Count > 0 || _audio.Count > 0))
            {
                ClosePart(frame.Ms);
            }
        }

        if (_video.Count == 0 && _audio.Count == 0) _partIndependent = frame.Key;
        _pendingVideo = frame;
    }

    private void OnAudio(FlvTag tag)
    {
        var body = tag.Body;
        if (_tracks is not { HasAudio: true } || body.Length < 3 || body.Span[0] >> 4 != AacFormat || body.Span[1] != 1) return;
        var dts = tag.Timestamp * (long)_aac.SampleRate / 1000;
        _audio.Add(new Fmp4Sample(dts, AacFrameSamples, 0, true, body[2..]));
    }

    /// <summary>
    /// A media-time event (<see cref="CuePointTag"/>) becomes timed ID3 in the next part: an <c>emsg</c> before its
    /// <c>moof</c>, at the cue's stream time on the video timeline, carrying <c>{seq, kind, id, time}</c> as JSON in a
    /// TXXX frame described <c>relay-cue</c> (docs/playback.md, "Cue points").
    /// </summary>
    private void OnCuePoint(FlvTag tag)
    {
        if (_tracks is null || _events.Count >= 64) return;
        try
        {
            var reader = new Amf0Reader(tag.Body.Span);
            reader.ReadString();
            if (reader.ReadValue() is not Amf0Object cue || cue.GetValueOrDefault("parameters") is not Amf0Object parameters) return;
            var seq = Convert.ToInt64(parameters.GetValueOrDefault("seq") ?? 0, CultureInfo.InvariantCulture);
            var json = JsonSerializer.Serialize(new CueMetadata(seq, parameters.GetValueOrDefault("kind") as string ?? "", parameters.GetValueOrDefault("id") as string ?? "", tag.Timestamp / 1000.0),
                LowLatencyJsonContext.Default.CueMetadata);
            // The emsg id is 32 bits: the seq's low bits (unique among a part's events); the JSON carries the whole seq.
            _events.Add(Id3Emsg.Create(CueDescription, json, tag.Timestamp * 90L, Fmp4Tracks.VideoTimescale, unchecked((uint)seq)));
        }
        catch (Exception ex) when (ex is Amf0FormatException or InvalidCastException or FormatException or OverflowException)
        {
            // A publisher's own malformed onCuePoint: not ours to repeat.
        }
    }

    private void BeginTracks(long ms)
    {
        var restart = _tracks is not null;
        if (restart)
        {
            ClosePart(ms);
            stream.CloseSegment();
        }

        var width = 0;
        var height = 0;
        AvcSps.TryReadDimensionsFromConfigurationRecord(_avcConfig!, out width, out height);
        _tracks = new Fmp4Tracks(_avcConfig, width, height, _aacConfig, _aac);
        _tracksChanged = false;
        _initVersion++;
        stream.AddInit(_initVersion, Fmp4Writer.InitSegment(_tracks));
        _audio.Clear();
        StartSegment(ms, discontinuity: restart);
    }

    private void StartSegment(long ms, bool discontinuity)
    {
        _sequence++;
        _segmentStartMs = ms;
        _partStartMs = ms;
        stream.StartSegment(_sequence, _initVersion, discontinuity, time.GetUtcNow());
    }

    /// <summary>The held frame's duration is known now: it goes into the open part.</summary>
    private void FlushPending(long nextMs)
    {
        if (_pendingVideo is not { } held) return;
        var gap = nextMs - held.Ms;
        if (gap is > 0 and < 1000) _lastFrameGapMs = gap;
        _video.Add(Sample(held, (int)(Math.Max(1, gap) * 90)));
        _pendingVideo = null;
    }

    private void ClosePart(long endMs)
    {
        if (_video.Count == 0 && _audio.Count == 0) return;
        var bytes = Fmp4Writer.Fragment(++_fragment, _video, _audio);
        if (_events.Count > 0)
        {
            // emsg boxes go before the fragment's moof (CMAF); the trun offsets count from the moof, so they hold.
            bytes = [.. _events.SelectMany(e => e), .. bytes];
            _events.Clear();
        }

        var duration = Math.Max(1, endMs - _partStartMs) / 1000.0;
        stream.AddPart(new LowLatencyPart(bytes, duration, _partIndependent));
        _video.Clear();
        _audio.Clear();
        _partStartMs = endMs;
    }

    private static Fmp4Sample Sample((long Ms, int Cts, bool Key, ReadOnlyMemory<byte> Data) frame, int duration) =>
        new(frame.Ms * 90, duration, frame.Cts * 90, frame.Key, frame.Data);
}
