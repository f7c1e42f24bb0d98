using Relay.Ingest.Diagnostics;
using Relay.Ingest.Media;

namespace Relay.Ingest.Streams;

/// <summary>
/// Fan-out point of one live channel. The ingest calls <see cref="Publish"/> for every tag; each subscriber
/// gets the same tag instances through its own bounded queue. A late subscriber starts with onMetaData, the
/// sequence headers and the cached GOP (from the last keyframe), so playback starts at once. Publishing never
/// blocks and never waits on a subscriber: a slow subscriber only loses its own frames.
/// </summary>
public sealed class StreamHub
{
    /// <summary>The GOP cache is bounded too: a stream without keyframes must not grow it forever.</summary>
    private const int MaxGopTags = 4096;
    private const long MaxGopBytes = 32 * 1024 * 1024;

    private readonly Lock _lock = new();
    private readonly List<StreamSubscription> _subscribers = [];
    private readonly List<FlvTag> _gop = [];
    private readonly StreamStatistics _statistics = new();
    private readonly SubscriberLimits _defaultLimits;
    private readonly Prometheus.Counter.Child _ingestBytes;
    private long _gopBytes;
    private FlvTag? _metadata;
    private FlvTag? _videoSequenceHeader;
    private FlvTag? _audioSequenceHeader;
    // E-RTMP v2: the sequence headers of the other tracks (video and audio), so a late joiner that selects one of them
    // can start too. Keyed by type and track id; a stream has a handful at most.
    private readonly SortedDictionary<(FlvTagType Type, int Track), FlvTag> _trackSequenceHeaders = [];
    // What a decoder needs before a keyframe (onMetaData, then the sequence headers), rebuilt only when one of them
    // changes and never mutated, so every tag offers the same array without allocating.
    private FlvTag[] _headers = [];
    private int _sequenceHeaderVersion;
    private bool _completed;
    private uint? _lastMediaTimestamp;

    public StreamHub(string channelId, DateTimeOffset since, SubscriberLimits? defaultLimits = null)
    {
        ChannelId = channelId;
        Since = since;
        _defaultLimits = defaultLimits ?? new SubscriberLimits();
        _ingestBytes = IngestMetrics.IngestBytes.WithLabels(channelId);
    }

    public string ChannelId { get; }

    public DateTimeOffset Since { get; }

    /// <summary>True once the publisher has gone; subscriptions are completed and new ones complete at once.</summary>
    public bool IsCompleted
    {
        get { lock (_lock) return _completed; }
    }

    /// <summary>True when a video sequence header or video frame was seen (audio-only streams resume on any audio frame).</summary>
    internal bool HasVideo { get; private set; }

    public int SubscriberCount
    {
        get { lock (_lock) return _subscribers.Count; }
    }

    /// <summary>True once a keyframe is cached: a new subscriber can start decoding immediately.</summary>
    public bool HasKeyframe
    {
        get { lock (_lock) return _gop.Count > 0 && _gop[0].IsKeyframe; }
    }

    /// <summary>
    /// The stream time in ms: the timestamp of the last audio or video frame published (on a mirror, the owner's
    /// timestamps), null before the first frame and after the publisher went.
    /// </summary>
    public long? StreamTimeMs
    {
        get { lock (_lock) return _completed ? null : _lastMediaTimestamp; }
    }

    /// <summary>
    /// Writes a media-time event into the stream as an <c>onCuePoint</c> tag (<see cref="CuePointTag"/>) stamped
    /// <paramref name="streamTimeMs"/>: offered to the subscribers that take cue points (players, the recorder, mirrors;
    /// not egress) and kept with the cached GOP, so a viewer who joins within it still meets it. False when the hub ended.
    /// </summary>
    public bool PublishCue(long seq, string kind, string id, long streamTimeMs)
    {
        var tag = CuePointTag.Create((uint)Math.Clamp(streamTimeMs, 0, uint.MaxValue), seq, kind, id);
        lock (_lock)
        {
            if (_completed)
            {
                return false;
            }
        }

        Publish(tag, fromIngest: false);
        return true;
    }

    /// <summary>Adds a tag and offers it to every subscriber. Never blocks; ignored after the hub completed.</summary>
    public void Publish(FlvTag tag) => Publish(tag, fromIngest: true);

    /// <param name="fromIngest">False for what Relay adds itself (a cue): not counted as ingest bytes or in the stream's statistics.</param>
    private void Publish(FlvTag tag, bool fromIngest)
    {
        ArgumentNullException.ThrowIfNull(tag);
        lock (_lock)
        {
            if (_completed)
            {
                return;
            }

            if (tag.Track != 0)
            {
                PublishOtherTrack(tag);
                return;
            }

            if (fromIngest)
            {
                _statistics.Observe(tag);
            }

            switch (tag.Kind)
            {
                case FlvTagKind.Metadata:
                    _metadata = tag;
                    _headers = BuildHeaders();
                    break;
                case FlvTagKind.VideoSequenceHeader:
                    HasVideo = true;
                    _videoSequenceHeader = tag;
                    _sequenceHeaderVersion++;
                    _headers = BuildHeaders();
                    break;
                case FlvTagKind.AudioSequenceHeader:
                    _audioSequenceHeader = tag;
                    _sequenceHeaderVersion++;
                    _headers = BuildHeaders();
                    break;
                case FlvTagKind.VideoKeyframe:
                    HasVideo = true;
                    _lastMediaTimestamp = tag.Timestamp;
                    ResetGop();
                    AddToGop(tag);
                    break;
                case FlvTagKind.CuePoint:
                    if (_gop.Count > 0)
                    {
                        AddToGop(tag);
                    }

                    break;
                case FlvTagKind.VideoInterframe:
                case FlvTagKind.AudioFrame:
                    HasVideo |= tag.IsVideo;
                    _lastMediaTimestamp = tag.Timestamp;
                    if (_gop.Count > 0 || (!HasVideo && tag.IsAudio))
                    {
                        AddToGop(tag);
                    }

                    break;
            }

            var cuePoint = tag.Kind == FlvTagKind.CuePoint;
            foreach (var subscriber in _subscribers)
            {
                if (!cuePoint || subscriber.CuePoints)
                {
                    subscriber.Offer(tag, _sequenceHeaderVersion, _headers);
                }
            }
        }

        if (fromIngest)
        {
            _ingestBytes.Inc(tag.Serialized.Length);
        }
    }

    /// <summary>
    /// A tag of a non-default E-RTMP v2 track: its sequence header is kept beside track 0's, its frames ride in the GOP
    /// cache started by track 0's keyframe (never starting or resetting it), and the status ignores it (it describes
    /// the default track). Called under the publish lock.
    /// </summary>
    private void PublishOtherTrack(FlvTag tag)
    {
        switch (tag.Kind)
        {
            case FlvTagKind.VideoSequenceHeader:
            case FlvTagKind.AudioSequenceHeader:
                _trackSequenceHeaders[(tag.Type, tag.Track)] = tag;
                _sequenceHeaderVersion++;
                _headers = BuildHeaders();
                break;
            case FlvTagKind.VideoKeyframe:
            case FlvTagKind.VideoInterframe:
            case FlvTagKind.AudioFrame:
                if (_gop.Count > 0)
                {
                    AddToGop(tag);
                }

                break;
        }

        foreach (var subscriber in _subscribers)
        {
            subscriber.Offer(tag, _sequenceHeaderVersion, _headers);
        }

        _ingestBytes.Inc(tag.Serialized.Length);
    }

    /// <summary>
    /// Joins the stream. The returned subscription's reader starts with metadata, sequence headers and the cached
    /// GOP. Dispose it to leave; it also completes when the publisher goes away.
    /// </summary>
    /// <param name="name">Who is reading, for logs (e.g. a destination id or a viewer's connection id).</param>
    /// <param name="kind">Low-cardinality consumer kind for metrics (<c>http_flv</c>, <c>rtmp_push</c>, <c>hls</c>).</param>
    /// <param name="limits">Queue bounds; the hub's defaults when null.</param>
    public StreamSubscription Subscribe(string name, string kind = "other", SubscriberLimits? limits = null) =>
        TrySubscribe(name, kind, int.MaxValue, limits)!;

    /// <summary>
    /// <see cref="Subscribe"/>, unless the hub already has <paramref name="maxOfKind"/> subscribers of this kind
    /// (checked and added under one lock, so concurrent viewers cannot overshoot): then null.
    /// </summary>
    public StreamSubscription? TrySubscribe(string name, string kind, int maxOfKind, SubscriberLimits? limits = null)
    {
        limits ??= _defaultLimits;
        var subscription = new StreamSubscription(this, name, kind, limits.MaxTags, limits.MaxBytes, limits.CuePoints);
        lock (_lock)
        {
            if (_completed)
            {
                subscription.Complete();
                return subscription;
            }

            if (maxOfKind < int.MaxValue && CountOf(kind) >= maxOfKind)
            {
                return null;
            }

            subscription.Prime(StartOfStream(), _sequenceHeaderVersion, startsAtKeyframe: _gop.Count > 0 && (_gop[0].IsKeyframe || !HasVideo));
            _subscribers.Add(subscription);
        }

        IngestMetrics.FanoutSubscribers.WithLabels(ChannelId, kind).Inc();

        return subscription;
    }

    /// <summary>How many subscribers of <paramref name="kind"/> the hub has now.</summary>
    public int SubscribersOfKind(string kind)
    {
        lock (_lock)
        {
            return CountOf(kind);
        }
    }

    private int CountOf(string kind)
    {
        var count = 0;
        foreach (var subscriber in _subscribers)
        {
            if (string.Equals(subscriber.Kind, kind, StringComparison.Ordinal))
            {
                count++;
            }
        }

        return count;
    }

    /// <summary>Current statistics as the status API shows them.</summary>
    public IngestStatus GetStatus()
    {
        lock (_lock)
        {
            var bitrate = _statistics.BitsPerSecond;
            return new IngestStatus(
                Live: !_completed,
                Rehearsal: false,
                Since: Since,
                VideoCodec: _statistics.VideoCodec,
                AudioCodec: _statistics.AudioCodec,
                Width: _statistics.Width,
                Height: _statistics.Height,
                Fps: _statistics.Fps,
                BitrateKbps: bitrate is { } b ? Math.Round(b / 1000, 1) : null,
                KeyframeIntervalSeconds: _statistics.KeyframeIntervalSeconds);
        }
    }

    /// <summary>
    /// The codec of video track <paramref name="track"/> (h264, hevc, av1...) from its sequence header; null before one
    /// was seen or when the publisher sends no such track. What egress checks before it pushes a byte.
    /// </summary>
    public string? VideoCodecOf(int track)
    {
        lock (_lock)
        {
            var header = track == 0 ? _videoSequenceHeader : _trackSequenceHeaders.GetValueOrDefault((FlvTagType.Video, track));
            return header is null ? null : FlvCodecs.VideoCodecName(header.Body.Span, track);
        }
    }

    /// <summary>What the per-second ingest gauges need, under one lock and without building a status record.</summary>
    internal (double? BitsPerSecond, double? Fps, double? KeyframeIntervalSeconds) GetRates()
    {
        lock (_lock)
        {
            return (_statistics.BitsPerSecond, _statistics.Fps, _statistics.KeyframeIntervalSeconds);
        }
    }

    /// <summary>The publisher has gone: every subscription completes after the tags it already has.</summary>
    internal void Complete()
    {
        StreamSubscription[] subscribers;
        lock (_lock)
        {
            if (_completed)
            {
                return;
            }

            _completed = true;
            subscribers = [.. _subscribers];
            _subscribers.Clear();
            foreach (var subscriber in subscribers)
            {
                subscriber.InlineWriter = null;
            }

            ResetGop();
        }

        foreach (var subscriber in subscribers)
        {
            IngestMetrics.FanoutSubscribers.WithLabels(ChannelId, subscriber.Kind).Dec();
            subscriber.Complete();
        }
    }

    /// <summary>
    /// The stream stops being public while its publisher stays (a rehearsal switched on): every subscription but those
    /// of <paramref name="keptKind"/> completes after the tags it already has, as if the publisher had gone.
    /// </summary>
    internal void EndSubscriptionsExcept(string keptKind)
    {
        var ended = new List<StreamSubscription>();
        lock (_lock)
        {
            foreach (var subscriber in _subscribers)
            {
                if (!string.Equals(subscriber.Kind, keptKind, StringComparison.Ordinal))
                {
                    subscriber.InlineWriter = null;
                    ended.Add(subscriber);
                }
            }

            _subscribers.RemoveAll(ended.Contains);
        }

        foreach (var subscriber in ended)
        {
            IngestMetrics.FanoutSubscribers.WithLabels(ChannelId, subscriber.Kind).Dec();
            subscriber.Complete();
        }
    }

    /// <summary>Sets a subscription's inline writer under the publish lock: a detach returns only once no publish is inside the old writer.</summary>
    internal void SetInlineWriter(StreamSubscription subscription, IInlineTagWriter? writer)
    {
        lock (_lock)
        {
            subscription.InlineWriter = _completed ? null : writer;
        }
    }

    internal void Unsubscribe(StreamSubscription subscription)
    {
        bool removed;
        lock (_lock)
        {
            removed = _subscribers.Remove(subscription);
            subscription.InlineWriter = null;
        }

        if (removed)
        {
            IngestMetrics.FanoutSubscribers.WithLabels(ChannelId, subscription.Kind).Dec();
        }
    }

    /// <summary>A late joiner's start: the headers, then the cached GOP (allocated per subscribe, never per tag).</summary>
    private List<FlvTag> StartOfStream()
    {
        var start = new List<FlvTag>(_headers.Length + _gop.Count);
        start.AddRange(_headers);
        start.AddRange(_gop);
        return start;
    }

    /// <summary>What a decoder needs before a keyframe: onMetaData and the sequence headers.</summary>
    private FlvTag[] BuildHeaders()
    {
        var headers = new List<FlvTag>(3);
        if (_metadata is not null)
        {
            headers.Add(_metadata);
        }

        if (_videoSequenceHeader is not null)
        {
            headers.Add(_videoSequenceHeader);
        }

        if (_audioSequenceHeader is not null)
        {
            headers.Add(_audioSequenceHeader);
        }

        headers.AddRange(_trackSequenceHeaders.Values);

        return [.. headers];
    }

    private void AddToGop(FlvTag tag)
    {
        if (_gop.Count >= MaxGopTags || _gopBytes + tag.Serialized.Length > MaxGopBytes)
        {
            // No keyframe for too long: stop caching until the next one rather than grow without bound.
            ResetGop();
            return;
        }

        _gop.Add(tag);
        _gopBytes += tag.Serialized.Length;
    }

    private void ResetGop()
    {
        _gop.Clear();
        _gopBytes = 0;
    }
}
