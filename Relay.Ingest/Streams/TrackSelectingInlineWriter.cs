using Relay.Ingest.Media;

namespace Relay.Ingest.Streams;

/// <summary>
/// An inline writer behind a <see cref="FlvTrackSelector"/>: a tag of another track is "taken" (nothing to send, so
/// nothing to queue), a tag of the consumer's track goes to the real writer in its single-track form.
/// </summary>
public sealed class TrackSelectingInlineWriter(IInlineTagWriter inner, FlvTrackSelector selector) : IInlineTagWriter
{
    public bool TryWrite(FlvTag tag)
    {
        if (selector.Select(tag) is not { } selected)
        {
            return true;
        }

        if (inner.TryWrite(selected))
        {
            return true;
        }

        // The real writer could not take it now, so the original is queued and selected again from the queue: undo
        // nothing but the keyframe wait (a selector that just saw its keyframe must see it again).
        selector.Unselect(selected);
        return false;
    }
}
