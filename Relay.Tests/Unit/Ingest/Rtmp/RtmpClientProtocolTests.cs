using System.Buffers;
using System.Buffers.Binary;
using Relay.Ingest.Amf0;
using Relay.Ingest.Media;
using Relay.Ingest.Rtmp;

namespace Relay.Tests.Unit.Ingest.Rtmp;

/// <summary>The push's client side without sockets, fed scripted server bytes: what it sends, and what it reports.</summary>
public class RtmpClientProtocolTests
{
    private const int ChunkSize = 4096;

    /// <summary>The client's output, read back across calls with one chunk state (its Set Chunk Size applies to what follows).</summary>
    private readonly RtmpChunkStreamState _sent = new();

    private static RtmpClientProtocol NewProtocol() => new("live", "rtmp://example/live", "thekey", ChunkSize, 2_500_000);

    [Fact]
    public void Connect_createStream_and_publish_go_out_as_the_server_answers_and_the_start_status_starts_the_publish()
    {
        var protocol = NewProtocol();
        protocol.StartPublish();
        var first = Sent(protocol);
        Assert.Equal([RtmpMessageType.SetChunkSize, RtmpMessageType.CommandAmf0], first.Select(m => m.Header.TypeId));
        var connect = Command(first[1]);
        Assert.Equal(("connect", 1.0), (connect.Name, connect.TransactionId));
        Assert.Equal("rtmp://example/live", ((IReadOnlyDictionary<string, object?>)connect.CommandObject!)["tcUrl"]);

        // Something a server sends before its answer is no answer.
        Assert.Equal(RtmpClientEvent.NeedMoreData, Feed(protocol, ServerCommand(3, 0, "onBWDone", 0, null)));
        Assert.Empty(Sent(protocol));
        Assert.Equal(RtmpClientEvent.NeedMoreData, Feed(protocol, ServerCommand(3, 0, "_result", 1, null, Status("status", "NetConnection.Connect.Success"))));
        var setup = Sent(protocol);
        Assert.Equal(RtmpMessageType.WindowAcknowledgementSize, setup[0].Header.TypeId);
        Assert.Equal(["releaseStream", "FCPublish", "createStream"], setup.Skip(1).Select(m => Command(m).Name));
        Assert.Equal("thekey", Command(setup[1]).Arguments[0]);
        Assert.Equal(RtmpClientState.CreatingStream, protocol.State);

        Assert.Equal(RtmpClientEvent.NeedMoreData, Feed(protocol, ServerCommand(3, 0, "_result", 4, null, 7.0)));
        var publish = Assert.Single(Sent(protocol));
        Assert.Equal(7u, publish.Header.MessageStreamId);
        Assert.Equal(("publish", "thekey", "live"), (Command(publish).Name, Command(publish).Arguments[0], Command(publish).Arguments[1]));

        Assert.Equal(RtmpClientEvent.Publishing, Feed(protocol, ServerCommand(5, 7, "onStatus", 0, null, Status("status", "NetStream.Publish.Start"))));
        Assert.Equal(RtmpClientState.Publishing, protocol.State);
        Assert.Equal(7u, protocol.StreamId);

        // Media goes on the stream createStream handed out, in the announced chunk size; FLV metadata as @setDataFrame.
        var media = new ArrayBufferWriter<byte>();
        protocol.WriteMedia(media, FlvTag.Create(FlvTagType.Video, 40, new byte[10_000]));
        protocol.WriteMedia(media, FlvTag.Create(FlvTagType.Script, 0, [2, 0, 10, .. "onMetaData"u8]));
        var messages = Read(media.WrittenMemory, _sent);
        Assert.Equal([(RtmpMessageType.Video, 7u, 40u, 10_000), (RtmpMessageType.DataAmf0, 7u, 0u, 29)],
            messages.Select(m => (m.Header.TypeId, m.Header.MessageStreamId, m.Header.Timestamp, m.Payload.Length)));
        Assert.True(messages[1].Payload.Span.StartsWith("\u0002\u0000\u000D@setDataFrame"u8));
    }

    [Fact]
    public void A_refused_connect_is_reported_with_the_servers_code_and_nothing_more_is_sent()
    {
        var protocol = Started();
        var refusal = ServerCommand(3, 0, "_error", 1, null, Status("error", "NetConnection.Connect.Rejected", "bad app"));
        Assert.Equal(RtmpClientEvent.Refused, Feed(protocol, refusal));
        Assert.Equal((RtmpClientState.Connecting, "NetConnection.Connect.Rejected", "bad app"), (protocol.RefusedAt, protocol.StatusCode, protocol.StatusDescription));
        Assert.Empty(Sent(protocol));
        Assert.Equal(RtmpClientState.Closed, protocol.State);
    }

    [Theory]
    [InlineData("error", "NetStream.Publish.BadName")]
    [InlineData("status", "NetStream.Publish.Denied")]
    public void A_publish_answered_with_an_error_or_a_publish_code_other_than_start_is_refused(string level, string code)
    {
        var protocol = Started();
        Feed(protocol, ServerCommand(3, 0, "_result", 1, null));
        Feed(protocol, ServerCommand(3, 0, "_result", 4, null, 1.0));
        Assert.Equal(RtmpClientEvent.Refused, Feed(protocol, ServerCommand(5, 1, "onStatus", 0, null, Status(level, code, "nope"))));
        Assert.Equal((RtmpClientState.PublishPending, code), (protocol.RefusedAt, protocol.StatusCode));
    }

    [Fact]
    public void A_createStream_without_a_stream_id_is_refused()
    {
        var protocol = Started();
        Feed(protocol, ServerCommand(3, 0, "_result", 1, null));
        Assert.Equal(RtmpClientEvent.Refused, Feed(protocol, ServerCommand(3, 0, "_result", 4, null, "one")));
        Assert.Equal(RtmpClientState.CreatingStream, protocol.RefusedAt);
    }

    [Fact]
    public void A_ping_is_answered_with_its_timestamp_and_the_servers_bytes_are_acknowledged_per_its_window()
    {
        var protocol = Publishing();
        byte[] ping = [0, 6, 0, 0, 0x12, 0x34];
        Assert.Equal(RtmpClientEvent.NeedMoreData, Feed(protocol, Message(2, 0, RtmpMessageType.UserControl, ping)));
        var pong = Assert.Single(Sent(protocol));
        Assert.Equal(RtmpMessageType.UserControl, pong.Header.TypeId);
        Assert.Equal([0, 7, 0, 0, 0x12, 0x34], pong.Payload.ToArray());

        // A 1,000-byte window: the first message that takes the count past it is acknowledged with the count.
        var window = new byte[4];
        BinaryPrimitives.WriteUInt32BigEndian(window, 1000);
        var input = new ArrayBufferWriter<byte>();
        input.Write(Message(2, 0, RtmpMessageType.WindowAcknowledgementSize, window));
        for (var i = 0; i < 6; i++)
        {
            input.Write(ServerCommand(3, 0, "onNoise", 0, null, new string('x', 150)));
        }

        Assert.Equal(RtmpClientEvent.NeedMoreData, Feed(protocol, input.WrittenSpan.ToArray()));
        var ack = Assert.Single(Sent(protocol));
        Assert.Equal(RtmpMessageType.Acknowledgement, ack.Header.TypeId);
        Assert.InRange(BinaryPrimitives.ReadUInt32BigEndian(ack.Payload.Span), 1000u, (uint)_fed);
    }

    [Fact]
    public void The_servers_32_bit_acknowledgement_is_unwrapped_against_what_was_sent()
    {
        var protocol = Publishing();
        var setup = protocol.BytesSent;
        Assert.Equal(0, protocol.AcknowledgementsReceived);

        protocol.AddSent((5L << 30) - setup); // 5 GiB sent in all: the peer's counter wrapped once
        Assert.Equal(RtmpClientEvent.NeedMoreData, Feed(protocol, Ack(unchecked((uint)((5L << 30) - 1000)))));
        Assert.Equal((1, 1000L), (protocol.AcknowledgementsReceived, protocol.UnacknowledgedBytes));

        // Just past a wrap: an acknowledgement from before it (a large 32-bit number) is not read as ahead of us.
        var wrapped = Publishing();
        wrapped.AddSent((1L << 32) + 10 - wrapped.BytesSent);
        Feed(wrapped, Ack(uint.MaxValue - 89));
        Assert.Equal(100L, wrapped.UnacknowledgedBytes);
    }

    [Fact]
    public void Commands_after_the_publish_started_are_dropped_unanswered_and_a_status_that_ends_the_publish_ends_it()
    {
        var protocol = Publishing();
        var flood = new ArrayBufferWriter<byte>();
        for (var i = 0; i < 500; i++)
        {
            flood.Write(ServerCommand(3, 0, i % 2 == 0 ? "_result" : "onStatus", 5, null, Status("status", "NetStream.Publish.Start")));
        }

        Assert.Equal(RtmpClientEvent.NeedMoreData, Feed(protocol, flood.WrittenSpan.ToArray()));
        Assert.Empty(Sent(protocol));
        Assert.Equal(RtmpClientState.Publishing, protocol.State);

        Assert.Equal(RtmpClientEvent.PublishEnded, Feed(protocol, ServerCommand(5, 1, "onStatus", 0, null, Status("status", "NetStream.Unpublish.Success", "bye"))));
        Assert.Equal(("NetStream.Unpublish.Success", "bye"), (protocol.StatusCode, protocol.StatusDescription));
    }

    [Fact]
    public void Broken_chunks_from_the_server_are_invalid()
    {
        var protocol = Started();
        // A type 3 continuation on a chunk stream that never had a header.
        Assert.Equal(RtmpClientEvent.Invalid, Feed(protocol, [0xC9, 1, 2, 3]));
        Assert.NotNull(protocol.Error);
    }

    private RtmpClientProtocol Started()
    {
        var protocol = NewProtocol();
        protocol.StartPublish();
        Sent(protocol);
        return protocol;
    }

    private RtmpClientProtocol Publishing()
    {
        var protocol = Started();
        Feed(protocol, ServerCommand(3, 0, "_result", 1, null));
        Feed(protocol, ServerCommand(3, 0, "_result", 4, null, 1.0));
        Assert.Equal(RtmpClientEvent.Publishing, Feed(protocol, ServerCommand(5, 1, "onStatus", 0, null, Status("status", "NetStream.Publish.Start"))));
        foreach (var message in Sent(protocol))
        {
            protocol.AddSent(message.Payload.Length);
        }

        return protocol;
    }

    /// <summary>Server bytes the protocol consumed so far (what its acknowledgements count).</summary>
    private long _fed;

    private RtmpClientEvent Feed(RtmpClientProtocol protocol, byte[] bytes)
    {
        var buffer = new ReadOnlySequence<byte>(bytes);
        var next = protocol.Read(ref buffer);
        _fed += bytes.Length - buffer.Length;
        return next;
    }

    private List<RtmpMessage> Sent(RtmpClientProtocol protocol)
    {
        var messages = Read(protocol.Output, _sent);
        protocol.ClearOutput();
        return messages;
    }

    private static List<RtmpMessage> Read(ReadOnlyMemory<byte> bytes, RtmpChunkStreamState? state = null)
    {
        state ??= new RtmpChunkStreamState();
        var buffer = new ReadOnlySequence<byte>(bytes.ToArray());
        var messages = new List<RtmpMessage>();
        while (RtmpChunkReader.TryRead(ref buffer, state, out var message) is RtmpChunkStatus.ChunkConsumed or RtmpChunkStatus.MessageComplete)
        {
            if (message is not null)
            {
                messages.Add(message);
            }
        }

        Assert.Equal(0, buffer.Length);
        return messages;
    }

    private static RtmpCommand Command(RtmpMessage message)
    {
        Assert.True(RtmpCommand.TryParse(message, out var command, out var error), error);
        return command!;
    }

    private static Amf0Object Status(string level, string code, string? description = null) =>
        new() { ["level"] = level, ["code"] = code, ["description"] = description ?? code };

    private static byte[] Ack(uint sequence)
    {
        var payload = new byte[4];
        BinaryPrimitives.WriteUInt32BigEndian(payload, sequence);
        return Message(2, 0, RtmpMessageType.Acknowledgement, payload);
    }

    private static byte[] Message(int csid, uint streamId, byte type, byte[] payload)
    {
        var output = new ArrayBufferWriter<byte>();
        RtmpChunkWriter.Write(output, new RtmpMessageHeader(csid, 0, payload.Length, type, streamId), payload, RtmpProtocol.DefaultChunkSize);
        return output.WrittenSpan.ToArray();
    }

    private static byte[] ServerCommand(int csid, uint streamId, string name, double transaction, object? commandObject, params object?[] args)
    {
        var payload = new ArrayBufferWriter<byte>();
        Amf0Writer.WriteString(payload, name);
        Amf0Writer.WriteNumber(payload, transaction);
        Amf0Writer.WriteValue(payload, commandObject);
        foreach (var a in args)
        {
            Amf0Writer.WriteValue(payload, a);
        }

        return Message(csid, streamId, RtmpMessageType.CommandAmf0, payload.WrittenSpan.ToArray());
    }
}
