using System.Threading.Channels;
using Relay.Ingest.Streams;
using Relay.Ingest.Media;

namespace Relay.Ingest.Egress.Source;

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
