using System.Buffers;
using Relay.Ingest.Media;
using Relay.Ingest.Streams;

namespace Relay.Ingest.Slate;

/// <summary>Turns the FLV ffmpeg wrote for a slate into a loopable <see cref="SlateGop"/>.</summary>
internal static class SlateFlv
{
    /// <summary>
    /// The sequence headers and the frames from the first keyframe on, their timestamps from 0 at that keyframe; the
    /// period is the video's span plus one frame interval, and audio past it is dropped (the next loop has its own).
    /// </summary>
    /// <exception cref="InvalidDataException">Not an FLV, or no H.264 keyframe in it.</exception>
    public static SlateGop Parse(ReadOnlyMemory<byte> flv, double fps)
    {
        var buffer = new ReadOnlySequence<byte>(flv);
        if (FlvTagReader.TryReadFileHeader(ref buffer, out var error) != FlvReadStatus.Read)
        {
            throw new InvalidDataException($"the slate is not FLV: {error ?? "too short"}");
        }

        var tags = new List<FlvTag>();
        while (FlvTagReader.TryReadTag(ref buffer, FlvTagReader.DefaultMaxTagSize, out var tag, out error) == FlvReadStatus.Read)
        {
            tags.Add(tag!);
        }

        var videoHeader = tags.Find(t => t.Kind == FlvTagKind.VideoSequenceHeader);
        var audioHeader = tags.Find(t => t.Kind == FlvTagKind.AudioSequenceHeader);
        var keyframe = tags.Find(t => t.Kind == FlvTagKind.VideoKeyframe)
            ?? throw new InvalidDataException("the slate has no keyframe");
        var start = keyframe.Timestamp;
        var lastVideo = tags.Where(t => t.Kind is FlvTagKind.VideoKeyframe or FlvTagKind.VideoInterframe).Max(t => t.Timestamp);
        var period = lastVideo - start + (uint)Math.Max(1, Math.Round(1000 / fps));
        var frames = tags
            .Where(t => t.Kind is FlvTagKind.VideoKeyframe or FlvTagKind.VideoInterframe or FlvTagKind.AudioFrame)
            .Where(t => t.Timestamp >= start && t.Timestamp - start < period)
            .Select(t => t.Timestamp == start ? t : FlvTag.Create(t.Type, t.Timestamp - start, t.Body.Span))
            // Stable: within a timestamp, the file's order (the keyframe before the audio of the same instant).
            .OrderBy(t => t.Timestamp)
            .ThenBy(t => t.IsVideo ? 0 : 1)
            .ToList();
        return new SlateGop(videoHeader, audioHeader, frames, period);
    }
}
