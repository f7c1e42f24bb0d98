using System.Buffers;
using CsCheck;
using Relay.Ingest.Amf0;
using Relay.Ingest.Rtmp;
using Relay.Tests.Common.Media;

namespace Relay.Tests.Unit.Ingest.Rtmp;

public class RtmpChunkReaderTests
{
    private static List<RtmpMessage> ReadAll(ReadOnlySequence<byte> buffer, RtmpChunkStreamState state, out RtmpChunkStatus last)
    {
        var messages = new List<RtmpMessage>();
        while (true)
        {
            last = RtmpChunkReader.TryRead(ref buffer, state, out var message);
            if (last == RtmpChunkStatus.MessageComplete)
            {
                messages.Add(message!);
            }
            else if (last != RtmpChunkStatus.ChunkConsumed)
            {
                return messages;
            }
        }
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(7)]
    [InlineData(1000)]
    public void Captured_ffmpeg_publish_yields_connect_publish_and_media_at_any_segmentation(int segmentSize)
    {
        var capture = Captures.PublisherToServer.AsMemory(RtmpHandshake.C0C1Size + RtmpHandshake.PacketSize);
        var sequence = segmentSize == 0 ? new ReadOnlySequence<byte>(capture) : SegmentedSequence.EveryNBytes(capture, segmentSize);
        var state = new RtmpChunkStreamState();

        var messages = ReadAll(sequence, state, out var last);

        Assert.Equal(RtmpChunkStatus.NeedMoreData, last);
        Assert.Null(state.Error);
        var commands = messages.Where(m => m.Header.TypeId == RtmpMessageType.CommandAmf0)
            .Select(m => { Assert.True(RtmpCommand.TryParse(m, out var c, out _)); return c!; }).ToList();
        var connect = commands.First();
        Assert.Equal("connect", connect.Name);
        Assert.Equal("live", Assert.IsType<Amf0Object>(connect.CommandObject)["app"]);
        var publish = Assert.Single(commands, c => c.Name == "publish");
        Assert.Equal(Captures.PublishedKey, publish.Arguments[0]);
        Assert.Contains(messages, m => m.Payload.Length > state.ChunkSize); // media spans several chunks
        var video = messages.Where(m => m.Header.TypeId == RtmpMessageType.Video).ToList();
        var audio = messages.Where(m => m.Header.TypeId == RtmpMessageType.Audio).ToList();
        Assert.InRange(video.Count, 45, 75); // ~2 s at 30 fps
        Assert.True(audio.Count > 50);
        Assert.Equal(0x17, video[0].Payload.Span[0]); // AVC keyframe
        Assert.Equal(0, video[0].Payload.Span[1]); // sequence header
        Assert.True(video.Zip(video.Skip(1)).All(p => p.Second.Header.Timestamp >= p.First.Header.Timestamp));
        Assert.InRange(video[^1].Header.Timestamp, 1800u, 2100u);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(5)]
    public void Captured_ffmpeg_listener_responses_parse_in_the_other_direction(int segmentSize)
    {
        var capture = Captures.ServerToPublisher.AsMemory(1 + 2 * RtmpHandshake.PacketSize);
        var sequence = segmentSize == 0 ? new ReadOnlySequence<byte>(capture) : SegmentedSequence.EveryNBytes(capture, segmentSize);
        var state = new RtmpChunkStreamState();

        var messages = ReadAll(sequence, state, out var last);

        Assert.Equal(RtmpChunkStatus.NeedMoreData, last);
        Assert.Null(state.Error);
        Assert.Contains(messages, m => m.Header.TypeId == RtmpMessageType.WindowAcknowledgementSize);
        Assert.Contains(messages, m => m.Header.TypeId == RtmpMessageType.SetPeerBandwidth);
        var commands = messages.Where(m => m.Header.TypeId == RtmpMessageType.CommandAmf0)
            .Select(m => { Assert.True(RtmpCommand.TryParse(m, out var c, out _)); return c!; }).ToList();
        Assert.Contains(commands, c => c.Name == "_result" && c.TransactionId == 1); // connect accepted
        var status = Assert.Single(commands, c => c.Name == "onStatus");
        Assert.Equal("NetStream.Publish.Start", Assert.IsAssignableFrom<IReadOnlyDictionary<string, object?>>(status.Arguments[0])["code"]);
    }

    [Fact]
    public void Written_messages_read_back_with_extended_timestamps_and_large_chunk_stream_ids()
    {
        Gen.Select(Gen.Int[2, 65599], Gen.UInt, Gen.Byte.Array[0, 2000], Gen.Int[1, 700], Gen.Int[1, 50]).Sample((csid, timestamp, payload, chunkSize, segment) =>
        {
            var buffer = new ArrayBufferWriter<byte>();
            RtmpChunkWriter.Write(buffer, new RtmpMessageHeader(csid, timestamp, payload.Length, RtmpMessageType.Video, 1), payload, chunkSize);
            RtmpChunkWriter.Write(buffer, new RtmpMessageHeader(csid, unchecked(timestamp + 40), payload.Length, RtmpMessageType.Video, 1), payload, chunkSize);
            var state = new RtmpChunkStreamState { };
            SetChunkSize(state, chunkSize);

            var messages = ReadAll(SegmentedSequence.EveryNBytes(buffer.WrittenMemory, segment), state, out var last);

            Assert.Equal(RtmpChunkStatus.NeedMoreData, last);
            Assert.Equal(2, messages.Count);
            Assert.Equal(timestamp, messages[0].Header.Timestamp);
            Assert.Equal(unchecked(timestamp + 40), messages[1].Header.Timestamp);
            Assert.Equal(csid, messages[1].Header.ChunkStreamId);
            Assert.Equal(payload, messages[1].Payload.ToArray());
        }, iter: 2000);
    }

    [Fact]
    public void Type3_chunk_starting_a_message_repeats_the_previous_delta_and_carries_the_extended_timestamp()
    {
        // fmt0 ts=0xFFFFFF(ext 0x01000000) len=1, then fmt3 (new message) with the 4-byte extended field repeated.
        byte[] data =
        [
            0x04, 0xFF, 0xFF, 0xFF, 0, 0, 1, RtmpMessageType.Audio, 1, 0, 0, 0, 0x01, 0x00, 0x00, 0x00, 0xAA,
            0xC4, 0x01, 0x00, 0x00, 0x00, 0xBB,
            0xC4, 0x01, 0x00, 0x00, 0x00, 0xCC,
        ];
        var messages = ReadAll(new ReadOnlySequence<byte>(data), new RtmpChunkStreamState(), out var last);
        Assert.Equal(RtmpChunkStatus.NeedMoreData, last);
        Assert.Equal([0x01000000u, 0x01000000u, 0x01000000u], messages.Select(m => m.Header.Timestamp));
        Assert.Equal([0xAA, 0xBB, 0xCC], messages.Select(m => m.Payload.Span[0]));

        // fmt0 ts=10, fmt2 delta=5, then fmt3 new messages: 10, 15, 20, 25
        byte[] deltas =
        [
            0x04, 0, 0, 10, 0, 0, 1, 8, 1, 0, 0, 0, 1,
            0x84, 0, 0, 5, 2,
            0xC4, 3,
            0xC4, 4,
        ];
        messages = ReadAll(new ReadOnlySequence<byte>(deltas), new RtmpChunkStreamState(), out _);
        Assert.Equal([10u, 15u, 20u, 25u], messages.Select(m => m.Header.Timestamp));
    }

    [Fact]
    public void Abort_discards_the_partial_message()
    {
        var buffer = new ArrayBufferWriter<byte>();
        var payload = new byte[300];
        RtmpChunkWriter.Write(buffer, new RtmpMessageHeader(6, 0, 300, RtmpMessageType.Video, 1), payload, 128);
        var firstChunk = buffer.WrittenMemory[..(12 + 128)].ToArray();
        var abort = new ArrayBufferWriter<byte>();
        RtmpChunkWriter.Write(abort, new RtmpMessageHeader(2, 0, 4, RtmpMessageType.Abort, 0), [0, 0, 0, 6], 128);
        var again = new ArrayBufferWriter<byte>();
        RtmpChunkWriter.Write(again, new RtmpMessageHeader(6, 7, 3, RtmpMessageType.Video, 1), [1, 2, 3], 128);

        var state = new RtmpChunkStreamState();
        var messages = ReadAll(new ReadOnlySequence<byte>([.. firstChunk, .. abort.WrittenSpan, .. again.WrittenSpan]), state, out var last);

        Assert.Null(state.Error);
        Assert.Equal([RtmpMessageType.Abort, RtmpMessageType.Video], messages.Select(m => m.Header.TypeId));
        Assert.Equal([1, 2, 3], messages[1].Payload.ToArray());
    }

    [Theory]
    [InlineData(new byte[] { 0x43, 0, 0, 0, 0, 0, 4, 20 }, "type 1 header")] // fmt1 with no previous message
    [InlineData(new byte[] { 0x03, 0, 0, 0, 0xFF, 0xFF, 0xFF, 20, 0, 0, 0, 0, 0 }, "exceeds")] // 16 MiB message
    [InlineData(new byte[] { 0x02, 0, 0, 0, 0, 0, 4, 1, 0, 0, 0, 0, 0, 0, 0, 0 }, "invalid chunk size 0")]
    public void Protocol_violations_are_reported_not_thrown(byte[] data, string expected)
    {
        var state = new RtmpChunkStreamState();
        ReadAll(new ReadOnlySequence<byte>(data), state, out var last);
        Assert.Equal(RtmpChunkStatus.Invalid, last);
        Assert.Contains(expected, state.Error);
    }

    [Fact]
    public void Huge_chunk_size_is_accepted_but_message_size_still_bounds_memory()
    {
        var buffer = new ArrayBufferWriter<byte>();
        RtmpChunkWriter.WriteSetChunkSize(buffer, RtmpProtocol.MaxChunkSize);
        byte[] huge = [0x06, 0, 0, 0, 0x7F, 0xFF, 0xFF, 9, 1, 0, 0, 0];
        var state = new RtmpChunkStreamState(maxMessageSize: 65536);
        ReadAll(new ReadOnlySequence<byte>([.. buffer.WrittenSpan, .. huge]), state, out var last);
        Assert.Equal(RtmpProtocol.MaxChunkSize, state.ChunkSize);
        Assert.Equal(RtmpChunkStatus.Invalid, last);
    }

    [Fact]
    public void Fuzz_random_and_mutated_streams_never_throw_and_always_progress()
    {
        var capture = Captures.PublisherToServer.AsSpan(RtmpHandshake.C0C1Size + RtmpHandshake.PacketSize, 4096).ToArray();
        var mutated = Gen.Select(Gen.Int[0, capture.Length - 1].Array[1, 8], Gen.Byte.Array[8], Gen.Int[1, 64])
            .Select((positions, values, segment) =>
            {
                var copy = (byte[])capture.Clone();
                for (var i = 0; i < positions.Length; i++)
                {
                    copy[positions[i]] = values[i];
                }

                return (copy, segment);
            });
        var random = Gen.Select(Gen.Byte.Array[0, 600], Gen.Int[1, 64]);

        void Run((byte[] Data, int Segment) input)
        {
            var state = new RtmpChunkStreamState(maxMessageSize: 64 * 1024);
            var buffer = SegmentedSequence.EveryNBytes(input.Data, input.Segment);
            while (true)
            {
                var before = buffer.Length;
                var status = RtmpChunkReader.TryRead(ref buffer, state, out _);
                if (status == RtmpChunkStatus.NeedMoreData)
                {
                    Assert.Equal(before, buffer.Length);
                    break;
                }

                if (status == RtmpChunkStatus.Invalid)
                {
                    Assert.NotNull(state.Error);
                    Assert.Equal(RtmpChunkStatus.Invalid, RtmpChunkReader.TryRead(ref buffer, state, out _));
                    break;
                }

                Assert.True(buffer.Length < before, "a consumed chunk must advance the buffer");
            }
        }

        mutated.Sample(Run, iter: 3000);
        random.Sample(Run, iter: 3000);
    }

    private static void SetChunkSize(RtmpChunkStreamState state, int size)
    {
        var buffer = new ArrayBufferWriter<byte>();
        RtmpChunkWriter.WriteSetChunkSize(buffer, size);
        var sequence = new ReadOnlySequence<byte>(buffer.WrittenMemory);
        Assert.Equal(RtmpChunkStatus.MessageComplete, RtmpChunkReader.TryRead(ref sequence, state, out _));
    }
}
