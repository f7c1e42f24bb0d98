using System.Threading.Channels;
using Relay.Ingest.Media;
using Relay.Ingest.Streams;

namespace Relay.Ingest.Egress.Source;

/// <summary>
/// What egress needs from the fan-out of one live channel: per destination, its own bounded, keyframe-aware
/// queue of shared <see cref="FlvTag"/>s that starts with metadata + sequence headers + the cached GOP.
/// <see cref="StreamHubEgressSource"/> is the production implementation over the ingest's <see cref="StreamHub"/>.
/// </summary>
public interface IEgressSource
{
    /// <param name="subscriberName">For the hub's logs; never a URL or a key.</param>
    IEgressFeed Subscribe(string subscriberName, int capacity);

    /// <summary>The live ingest as the hub measures it (codecs, keyframe interval, bitrate); null when unknown.</summary>
    IngestStatus? Ingest { get; }
}

/// <summary>Finds the live source of a channel; null when the channel is offline.</summary>
public interface IEgressSourceResolver
{
    IEgressSource? Find(string channelId);
}

/// <summary>One destination's queue. Completing <see cref="Frames"/> means the channel ended.</summary>
public interface IEgressFeed : IDisposable
{
    ChannelReader<FlvTag> Frames { get; }

    /// <summary>Frames the hub dropped for this subscriber because it fell behind.</summary>
    long DroppedFrames { get; }

    /// <summary>Bytes waiting in this subscriber's queue.</summary>
    long QueuedBytes { get; }

    /// <summary>
    /// Asks the source to hand tags to <paramref name="writer"/> on the publisher's thread while the queue is empty;
    /// null detaches (after which the writer is no longer called). False when this source has no such path.
    /// </summary>
    bool SetInlineWriter(IInlineTagWriter? writer) => false;
}

/// <summary>A live channel's <see cref="StreamHub"/> as an egress source.</summary>
public sealed class StreamHubEgressSource(StreamHub hub) : IEgressSource
{
    /// <summary>Bytes a destination may have queued, whatever the tag count (a 4K keyframe burst is large).</summary>
    private const long MaxQueuedBytes = 32 * 1024 * 1024;

    public StreamHub Hub => hub;

    public IngestStatus? Ingest => hub.GetStatus();

    public IEgressFeed Subscribe(string subscriberName, int capacity) =>
        new SubscriptionFeed(hub.Subscribe(subscriberName, "rtmp_push", new SubscriberLimits(capacity, MaxQueuedBytes)));

    private sealed class SubscriptionFeed(StreamSubscription subscription) : IEgressFeed
    {
        public ChannelReader<FlvTag> Frames => subscription.Reader;

        public long DroppedFrames => subscription.DroppedFrames;

        public long QueuedBytes => subscription.QueuedBytes;

        public bool SetInlineWriter(IInlineTagWriter? writer)
        {
            subscription.SetInlineWriter(writer);
            return true;
        }

        public void Dispose() => subscription.Dispose();
    }
}

/// <summary>Resolves a channel to the hub of its live session in the ingest's <see cref="LiveChannelRegistry"/>.</summary>
public sealed class LiveChannelEgressSources(LiveChannelRegistry registry) : IEgressSourceResolver
{
    private readonly System.Runtime.CompilerServices.ConditionalWeakTable<StreamHub, StreamHubEgressSource> _sources = new();

    // The same hub must map to the same source instance: the manager restarts pushes when the source changes.
    public IEgressSource? Find(string channelId) =>
        registry.TryGetHub(channelId, out var hub) && !hub.IsCompleted ? _sources.GetValue(hub, h => new StreamHubEgressSource(h)) : null;
}
