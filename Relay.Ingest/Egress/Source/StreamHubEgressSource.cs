using System.Threading.Channels;
using Relay.Ingest.Streams;
using Relay.Ingest.Media;

namespace Relay.Ingest.Egress.Source;

/// <summary>A live channel's <see cref="StreamHub"/> as an egress source. Platforms get the publisher's stream only: the
/// <c>onCuePoint</c> tags of media-time events stay on Relay's own outputs (some platforms reject script data they do not know).</summary>
public sealed class StreamHubEgressSource(StreamHub hub) : IEgressSource
{
    /// <summary>Bytes a destination may have queued, whatever the tag count (a 4K keyframe burst is large).</summary>
    private const long MaxQueuedBytes = 32 * 1024 * 1024;

    public StreamHub Hub => hub;

    public IngestStatus? Ingest => hub.GetStatus();

    public string? VideoCodecOf(int trackId) => hub.VideoCodecOf(trackId);

    public IEgressFeed Subscribe(string subscriberName, int capacity) =>
        new SubscriptionFeed(hub.Subscribe(subscriberName, "rtmp_push", new SubscriberLimits(capacity, MaxQueuedBytes) { CuePoints = false }));

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
