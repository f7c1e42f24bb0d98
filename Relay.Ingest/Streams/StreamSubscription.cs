using System.Threading.Channels;
using Relay.Ingest.Diagnostics;
using Relay.Ingest.Media;

namespace Relay.Ingest.Streams;

/// <summary>
/// One consumer of a <see cref="StreamHub"/> (an HTTP-FLV viewer, an egress pusher, the HLS packager).
/// <see cref="Reader"/> yields the shared tags, starting with metadata, sequence headers and the cached GOP; it
/// completes when the publisher goes away or the subscription is disposed. When the consumer falls behind its
/// bounded queue, the queue is cleared and delivery resumes at the next keyframe (never a partial GOP); the
/// skipped tags are counted in <see cref="DroppedFrames"/>.
/// </summary>
public sealed class StreamSubscription : IDisposable
{
    private readonly Channel<FlvTag> _queue = Channel.CreateUnbounded<FlvTag>(new UnboundedChannelOptions
    {
        SingleWriter = true,
        // The publisher drains the queue on overflow while the consumer may be reading.
        SingleReader = false,
        AllowSynchronousContinuations = false,
    });

    private readonly StreamHub _hub;
    private readonly Prometheus.Counter.Child _droppedCounter;
    private readonly int _maxTags;
    private readonly long _maxBytes;
    private readonly QueuedByteCount _queuedBytes = new();
    private long _droppedFrames;
    private bool _awaitingKeyframe;
    private bool _headersLost;
    private int _sequenceHeaderVersion;
    private int _disposed;

    internal StreamSubscription(StreamHub hub, string name, string kind, int maxTags, long maxBytes, bool cuePoints = true)
    {
        _hub = hub;
        CuePoints = cuePoints;
        Name = name;
        Kind = kind;
        _maxTags = maxTags;
        _maxBytes = maxBytes;
        Reader = new ByteCountingReader(_queue.Reader, _queuedBytes);
        _droppedCounter = IngestMetrics.FanoutDroppedFrames.WithLabels(hub.ChannelId, kind);
    }

    public string Name { get; }

    /// <summary>Low-cardinality consumer kind, the metrics label (<c>http_flv</c>, <c>rtmp_push</c>, <c>hls</c>...).</summary>
    public string Kind { get; }

    public string ChannelId => _hub.ChannelId;

    /// <summary>Gets the <c>onCuePoint</c> tags of media-time events (<see cref="SubscriberLimits.CuePoints"/>).</summary>
    public bool CuePoints { get; }

    public ChannelReader<FlvTag> Reader { get; }

    /// <summary>Tags skipped because this consumer was too slow.</summary>
    public long DroppedFrames => Interlocked.Read(ref _droppedFrames);

    /// <summary>Bytes waiting for the consumer.</summary>
    public long QueuedBytes => _queuedBytes.Value;

    /// <summary>Called by the hub under its lock: the start of the stream for a late joiner.</summary>
    internal void Prime(IReadOnlyList<FlvTag> start, int sequenceHeaderVersion, bool startsAtKeyframe)
    {
        _sequenceHeaderVersion = sequenceHeaderVersion;
        // Without a cached keyframe (just went live, or the GOP cache overflowed) the first frames would not decode.
        _awaitingKeyframe = !startsAtKeyframe;
        foreach (var tag in start)
        {
            if (CuePoints || tag.Kind != FlvTagKind.CuePoint)
            {
                Enqueue(tag);
            }
        }
    }

    /// <summary>Called by the hub under its publish lock; never blocks.</summary>
    internal void Offer(FlvTag tag, int sequenceHeaderVersion, IReadOnlyList<FlvTag> streamHeaders)
    {
        if (_awaitingKeyframe && (tag.IsVideo || tag.IsAudio) && !tag.IsSequenceHeader)
        {
            // Only the default track's keyframe restarts a stream (the cache and every legacy consumer follow track 0).
            if (!(tag.IsKeyframe && tag.Track == 0) && !(tag.IsAudio && !_hub.HasVideo))
            {
                if (tag.Kind is FlvTagKind.VideoKeyframe or FlvTagKind.VideoInterframe or FlvTagKind.AudioFrame)
                {
                    CountDrop(1);
                }

                return;
            }

            _awaitingKeyframe = false;
            if (_headersLost || sequenceHeaderVersion != _sequenceHeaderVersion)
            {
                // The headers were cleared with the queue, or the encoder changed settings while we were skipping:
                // the decoder needs the current ones before the keyframe.
                _headersLost = false;
                _sequenceHeaderVersion = sequenceHeaderVersion;
                foreach (var header in streamHeaders)
                {
                    Enqueue(header);
                }
            }
        }

        if (tag.IsSequenceHeader)
        {
            _sequenceHeaderVersion = sequenceHeaderVersion;
        }

        if (_queue.Reader.Count >= _maxTags || _queuedBytes.Value + tag.Serialized.Length > _maxBytes)
        {
            DropQueued();
            if (!(tag.IsKeyframe && tag.Track == 0))
            {
                _awaitingKeyframe = true;
                CountDrop(tag.Kind is FlvTagKind.VideoInterframe or FlvTagKind.AudioFrame ? 1 : 0);
                return;
            }
        }

        Enqueue(tag);
    }

    internal void Complete() => _queue.Writer.TryComplete();

    /// <summary>
    /// Lets the publisher hand tags straight to <paramref name="writer"/> whenever this subscription's queue is empty
    /// (see <see cref="IInlineTagWriter"/>); null detaches. Once this returns, the publisher no longer calls the previous
    /// writer, so its socket may be closed.
    /// </summary>
    public void SetInlineWriter(IInlineTagWriter? writer) => _hub.SetInlineWriter(this, writer);

    /// <summary>Read and written only under the hub's publish lock (<see cref="StreamHub.SetInlineWriter"/>).</summary>
    internal IInlineTagWriter? InlineWriter { get; set; }

    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 0)
        {
            _hub.Unsubscribe(this);
            _queue.Writer.TryComplete();
            while (_queue.Reader.TryRead(out _))
            {
            }

            _queuedBytes.Reset();
        }
    }

    private void Enqueue(FlvTag tag)
    {
        // Order holds: the writer is used only when nothing is queued ahead of this tag.
        if (InlineWriter is { } inline && _queue.Reader.Count == 0 && inline.TryWrite(tag))
        {
            return;
        }

        if (_queue.Writer.TryWrite(tag))
        {
            _queuedBytes.Add(tag.Serialized.Length);
        }
    }

    private void DropQueued()
    {
        var dropped = 0;
        while (_queue.Reader.TryRead(out var old))
        {
            _queuedBytes.Add(-old.Serialized.Length);
            if (old.IsSequenceHeader || old.Kind == FlvTagKind.Metadata)
            {
                _headersLost = true;
            }
            else if (old.IsVideo || old.IsAudio)
            {
                dropped++;
            }
        }

        CountDrop(dropped);
    }

    private void CountDrop(int frames)
    {
        if (frames > 0)
        {
            Interlocked.Add(ref _droppedFrames, frames);
            _droppedCounter.Inc(frames);
        }
    }
}
