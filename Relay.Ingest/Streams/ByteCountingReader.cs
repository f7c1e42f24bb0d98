using System.Threading.Channels;
using Relay.Ingest.Media;

namespace Relay.Ingest.Streams;

/// <summary>A tag queue's reader that keeps <see cref="QueuedByteCount"/> honest as the consumer takes tags.</summary>
public sealed class ByteCountingReader(ChannelReader<FlvTag> inner, QueuedByteCount queued) : ChannelReader<FlvTag>
{
    public override Task Completion => inner.Completion;

    public override bool CanCount => true;

    public override int Count => inner.Count;

    public override bool TryRead(out FlvTag item)
    {
        if (inner.TryRead(out item!))
        {
            queued.Add(-item.Serialized.Length);
            return true;
        }

        return false;
    }

    public override bool TryPeek(out FlvTag item) => inner.TryPeek(out item!);

    public override ValueTask<bool> WaitToReadAsync(CancellationToken cancellationToken = default) => inner.WaitToReadAsync(cancellationToken);
}
