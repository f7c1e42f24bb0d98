using System.Buffers;
using System.IO.Pipelines;
using CsCheck;
using Relay.Ingest.Media;
using Relay.Ingest.Streams;
using Relay.Tests.Common.Media;

namespace Relay.Tests.Unit.Ingest.Media;

public class FlvTagReaderTests
{
    /// <summary>1.5 s of testsrc2 320x180@30 (-g 15) + AAC muxed by ffmpeg 5.1's FLV muxer, as the ingest emits it.</summary>
    private static byte[] Capture => Captures.Load("ffmpeg-remux.flv.bin");

    private static List<FlvTag> ReadAll(ReadOnlySequence<byte> buffer, out FlvReadStatus last, out string? error)
    {
        var tags = new List<FlvTag>();
        last = FlvTagReader.TryReadFileHeader(ref buffer, out error);
        if (last != FlvReadStatus.Read)
        {
            return tags;
        }

        while ((last = FlvTagReader.TryReadTag(ref buffer, 1 << 20, out var tag, out error)) == FlvReadStatus.Read)
        {
            tags.Add(tag!);
        }

        return tags;
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(13)]
    [InlineData(4096)]
    public void Captured_ffmpeg_FLV_parses_identically_at_any_segmentation(int segment)
    {
        var sequence = segment == 0 ? new ReadOnlySequence<byte>(Capture) : SegmentedSequence.EveryNBytes(Capture, segment);

        var tags = ReadAll(sequence, out var last, out var error);

        Assert.Equal(FlvReadStatus.NeedMoreData, last);
        Assert.Null(error);
        Assert.Equal(FlvTagKind.Metadata, tags[0].Kind);
        Assert.Equal(FlvTagKind.VideoSequenceHeader, tags[1].Kind);
        Assert.Contains(tags, t => t.Kind == FlvTagKind.AudioSequenceHeader);
        Assert.Equal(45, tags.Count(t => t.Kind is FlvTagKind.VideoKeyframe or FlvTagKind.VideoInterframe)); // ffprobe -count_packets agrees
        Assert.Equal(FlvTagKind.VideoEndOfSequence, tags.Last(t => t.IsVideo).Kind); // ffmpeg's muxer ends with an AVC end of sequence
        Assert.Equal(3, tags.Count(t => t.IsKeyframe)); // -g 15 over 45 frames
        Assert.Equal(Capture.Length - FlvTagReader.FileHeaderSize, tags.Sum(t => t.Serialized.Length));
        Assert.Equal(Capture.AsSpan(FlvTagReader.FileHeaderSize).ToArray(), tags.SelectMany(t => t.Serialized.ToArray()).ToArray());
    }

    [Fact]
    public void Statistics_from_the_capture_report_codecs_size_rate_and_gop()
    {
        var hub = new StreamHub("t", DateTimeOffset.UnixEpoch);
        foreach (var tag in ReadAll(new ReadOnlySequence<byte>(Capture), out _, out _))
        {
            hub.Publish(tag);
        }

        var status = hub.GetStatus();
        Assert.Equal("h264", status.VideoCodec);
        Assert.Equal("aac", status.AudioCodec);
        Assert.Equal(320, status.Width);
        Assert.Equal(180, status.Height);
        Assert.Equal(30, status.Fps!.Value, 1.0);
        Assert.Equal(0.5, status.KeyframeIntervalSeconds!.Value, 0.05);
        Assert.True(status.BitrateKbps > 0);
    }

    [Fact]
    public void The_SPS_of_the_capture_gives_the_picture_size()
    {
        var header = ReadAll(new ReadOnlySequence<byte>(Capture), out _, out _).First(t => t.Kind == FlvTagKind.VideoSequenceHeader);
        Assert.True(FlvCodecs.TryReadAvcDimensions(header.Body.Span, out var w, out var h));
        Assert.Equal((320, 180), (w, h));
    }

    [Fact]
    public void Oversized_tags_are_refused_before_they_are_buffered()
    {
        byte[] data = [(byte)'F', (byte)'L', (byte)'V', 1, 5, 0, 0, 0, 9, 0, 0, 0, 0, 9, 0xFF, 0xFF, 0xFF, 0, 0, 0, 0, 0, 0, 0];
        ReadAll(new ReadOnlySequence<byte>(data), out var last, out var error);
        Assert.Equal(FlvReadStatus.Invalid, last);
        Assert.Contains("exceeds", error);
    }

    [Fact]
    public async Task The_PipeReader_loop_yields_every_tag_and_reports_corruption_as_InvalidDataException()
    {
        var pipe = new Pipe();
        var capture = Capture;
        var writer = Task.Run(async () =>
        {
            for (var i = 0; i < capture.Length; i += 777)
            {
                await pipe.Writer.WriteAsync(capture.AsMemory(i, Math.Min(777, capture.Length - i)), TestContext.Current.CancellationToken);
            }

            await pipe.Writer.CompleteAsync();
        }, TestContext.Current.CancellationToken);

        var count = 0;
        await foreach (var _ in FlvTagReader.ReadTagsAsync(pipe.Reader, 1 << 20, TestContext.Current.CancellationToken))
        {
            count++;
        }

        await writer;
        Assert.Equal(ReadAll(new ReadOnlySequence<byte>(capture), out _, out _).Count, count);

        var corrupt = (byte[])capture.Clone();
        corrupt[FlvTagReader.FileHeaderSize + 3] ^= 0x01; // the first tag's body size no longer matches its previous-tag-size
        var reader = PipeReader.Create(new ReadOnlySequence<byte>(corrupt));
        await Assert.ThrowsAsync<InvalidDataException>(async () =>
        {
            await foreach (var _ in FlvTagReader.ReadTagsAsync(reader, 1 << 20, TestContext.Current.CancellationToken))
            {
            }
        });
    }

    [Fact]
    public void Fuzz_mutated_and_random_FLV_never_throws_and_never_over_reads()
    {
        var capture = Capture.AsSpan(0, 8192).ToArray();
        var mutated = Gen.Select(Gen.Int[0, capture.Length - 1].Array[1, 6], Gen.Byte.Array[6], Gen.Int[1, 100]).Select((positions, values, segment) =>
        {
            var copy = (byte[])capture.Clone();
            for (var i = 0; i < positions.Length; i++)
            {
                copy[positions[i]] = values[i];
            }

            return (copy, segment);
        });
        var random = Gen.Select(Gen.Byte.Array[0, 400], Gen.Int[1, 100]).Select((bytes, segment) => ((byte[])[(byte)'F', (byte)'L', (byte)'V', 1, 5, 0, 0, 0, 9, 0, 0, 0, 0, .. bytes], segment));

        void Run((byte[] Data, int Segment) input)
        {
            var buffer = SegmentedSequence.EveryNBytes(input.Data, input.Segment);
            var hub = new StreamHub("fuzz", DateTimeOffset.UnixEpoch);
            foreach (var tag in ReadAll(buffer, out var last, out var error))
            {
                Assert.True(tag.Serialized.Length <= input.Data.Length);
                hub.Publish(tag); // classification, statistics and SPS parsing see the junk too
            }

            _ = hub.GetStatus();
        }

        mutated.Sample(Run, iter: 2000);
        random.Sample(Run, iter: 2000);
    }
}
