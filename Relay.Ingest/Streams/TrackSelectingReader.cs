using System.Diagnostics.CodeAnalysis;
using System.Threading.Channels;
using Relay.Ingest.Media;

namespace Relay.Ingest.Streams;

/// <summary>
/// A subscription's reader seen through a <see cref="FlvTrackSelector"/>: the consumer reads the plain single-track
/// stream of its track. Dropped tags are skipped inside <see cref="TryRead"/>, so a wake-up may find nothing to read
/// (callers loop on <see cref="WaitToReadAsync"/>, as every reader of a channel must).
/// </summary>
public sealed class TrackSelectingReader(ChannelReader<FlvTag> inner, FlvTrackSelector selector) : ChannelReader<FlvTag>
{
    public override Task Completion => inner.Completion;

    public override bool CanCount => false;

    public override bool TryRead([MaybeNullWhen(false)] out FlvTag item)
    {
        while (inner.TryRead(out var tag))
        {
            if (selector.Select(tag) is { } selected)
            {
                item = selected;
                return true;
            }
        }

        item = null;
        return false;
    }

    public override ValueTask<bool> WaitToReadAsync(CancellationToken cancellationToken = default) => inner.WaitToReadAsync(cancellationToken);
}
