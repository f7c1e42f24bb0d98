using System.Threading.Channels;
using Relay.Ingest.Media;
using Relay.Ingest.Streams;

namespace Relay.Ingest.Egress.Source;

/// <summary>
/// A destination's feed as a plain single-track stream of its video track (<c>trackId</c>, default 0) and audio
/// track 0, whatever the publisher sends (E-RTMP v2 multitrack or not): the same selection on the queued path and on
/// the inline path. Single-track tags of the wanted track pass as the same instances, so a legacy stream costs one
/// header check per tag.
/// </summary>
public sealed class TrackSelectingFeed : IEgressFeed
{
    private readonly IEgressFeed _inner;
    private readonly FlvTrackSelector _selector;

    public TrackSelectingFeed(IEgressFeed inner, int videoTrackId)
    {
        _inner = inner;
        _selector = new FlvTrackSelector(videoTrackId);
        Frames = new TrackSelectingReader(inner.Frames, _selector);
    }

    public ChannelReader<FlvTag> Frames { get; }

    public long DroppedFrames => _inner.DroppedFrames;

    public long QueuedBytes => _inner.QueuedBytes;

    public bool SetInlineWriter(IInlineTagWriter? writer) =>
        _inner.SetInlineWriter(writer is null ? null : new TrackSelectingInlineWriter(writer, _selector));

    public void Dispose() => _inner.Dispose();
}
