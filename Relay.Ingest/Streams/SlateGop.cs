using Relay.Ingest.Media;

namespace Relay.Ingest.Streams;

/// <summary>
/// The slate of one stream shape, encoded once: its sequence headers and one GOP (a keyframe first) with timestamps
/// from 0, looped every <see cref="PeriodMs"/> while the slate is on air.
/// </summary>
public sealed class SlateGop
{
    public SlateGop(FlvTag? videoHeader, FlvTag? audioHeader, IReadOnlyList<FlvTag> frames, uint periodMs)
    {
        ArgumentNullException.ThrowIfNull(frames);
        if (frames.Count == 0 || periodMs == 0)
        {
            throw new ArgumentException("a slate needs at least one frame and a period", nameof(frames));
        }

        VideoHeader = videoHeader;
        AudioHeader = audioHeader;
        Frames = frames;
        PeriodMs = periodMs;
    }

    public FlvTag? VideoHeader { get; }

    public FlvTag? AudioHeader { get; }

    /// <summary>Audio and video frames in timestamp order, the first video frame a keyframe.</summary>
    public IReadOnlyList<FlvTag> Frames { get; }

    /// <summary>How long one loop lasts: the video frames' span plus one frame interval.</summary>
    public uint PeriodMs { get; }
}
