using System.Buffers;

namespace Relay.Tests.Common.Media;

/// <summary>Builds multi-segment sequences so parsers are tested across segment boundaries, as a PipeReader delivers them.</summary>
internal static class SegmentedSequence
{
    public static ReadOnlySequence<byte> Split(ReadOnlyMemory<byte> data, IReadOnlyList<int> cutPoints)
    {
        var cuts = cutPoints.Where(c => c > 0 && c < data.Length).Distinct().Order().ToList();
        if (cuts.Count == 0)
        {
            return new ReadOnlySequence<byte>(data);
        }

        Segment? first = null, last = null;
        var start = 0;
        foreach (var end in cuts.Append(data.Length))
        {
            var segment = new Segment(data[start..end]);
            if (first is null)
            {
                first = last = segment;
            }
            else
            {
                last = last!.Append(segment);
            }

            start = end;
        }

        return new ReadOnlySequence<byte>(first!, 0, last!, last!.Memory.Length);
    }

    public static ReadOnlySequence<byte> EveryNBytes(ReadOnlyMemory<byte> data, int n) =>
        Split(data, Enumerable.Range(1, Math.Max(0, (data.Length - 1) / n)).Select(i => i * n).ToList());

    private sealed class Segment : ReadOnlySequenceSegment<byte>
    {
        public Segment(ReadOnlyMemory<byte> memory) => Memory = memory;

        public Segment Append(Segment next)
        {
            next.RunningIndex = RunningIndex + Memory.Length;
            Next = next;
            return next;
        }
    }
}
