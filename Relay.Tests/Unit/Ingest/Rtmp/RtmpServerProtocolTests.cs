using System.Buffers;
using System.Buffers.Binary;
using Relay.Ingest.Media;
using Relay.Ingest.Rtmp;
using Relay.Tests.Common.Media;

namespace Relay.Tests.Unit.Ingest.Rtmp;

/// <summary>The native ingest's server side without sockets: what it answers, and when it asks the caller.</summary>
public class RtmpServerProtocolTests
{
    [Fact]
    public void Connect_is_answered_with_window_bandwidth_chunk_size_and_success_then_pings_and_acks_follow_the_client()
    {
        var protocol = new RtmpServerProtocol(64 * 1024, 16);
        var input = Sequence(RawRtmpClient.Connect("live"));
        Assert.Equal(RtmpServerEvent.Connect, protocol.Read(ref input));
        Assert.Equal("live", protocol.App);
        protocol.AcceptConnect();
        var replies = Parse(protocol);
        Assert.Equal([RtmpMessageType.WindowAcknowledgementSize, RtmpMessageType.SetPeerBandwidth, RtmpMessageType.SetChunkSize, RtmpMessageType.CommandAmf0], replies.Select(m => m.Header.TypeId));
        Assert.True(RtmpCommand.TryParse(replies[3], out var result, out _));
        Assert.Equal("_result", result!.Name);
        Assert.Equal("NetConnection.Connect.Success", ((IReadOnlyDictionary<string, object?>)result.Arguments[0]!)["code"]);

        // A ping request (user control 6) is answered with a ping response (7) carrying the same timestamp.
        byte[] ping = [0, 6, 0, 0, 0x12, 0x34];
        var window = new byte[4];
        BinaryPrimitives.WriteUInt32BigEndian(window, 10_000);
        var control = new ArrayBufferWriter<byte>();
        RtmpChunkWriter.Write(control, new(2, 0, ping.Length, RtmpMessageType.UserControl, 0), ping, 128);
        RtmpChunkWriter.Write(control, new(2, 0, 4, RtmpMessageType.WindowAcknowledgementSize, 0), window, 128);
        input = Sequence(control.WrittenSpan.ToArray());
        Assert.Equal(RtmpServerEvent.NeedMoreData, protocol.Read(ref input));
        var pong = Assert.Single(Parse(protocol));
        Assert.Equal(RtmpMessageType.UserControl, pong.Header.TypeId);
        Assert.Equal([0, 7, 0, 0, 0x12, 0x34], pong.Payload.ToArray());

        // The client asked for an acknowledgement every 10 000 bytes: 12 000 bytes of commands get one.
        var filler = new List<byte>();
        while (filler.Count < 12_000)
        {
            filler.AddRange(RawRtmpClient.Command(3, 0, "_checkbw", 9, null, new string('x', 500)));
        }

        input = Sequence([.. filler]);
        Assert.Equal(RtmpServerEvent.NeedMoreData, protocol.Read(ref input));
        var ack = Assert.Single(Parse(protocol));
        Assert.Equal(RtmpMessageType.Acknowledgement, ack.Header.TypeId);
        Assert.InRange(BinaryPrimitives.ReadUInt32BigEndian(ack.Payload.Span), 10_000u, protocol.BytesReceived);
    }

    [Fact]
    public void Publish_waits_for_the_caller_and_media_before_it_is_refused()
    {
        var protocol = new RtmpServerProtocol(64 * 1024, 16);
        var video = new ArrayBufferWriter<byte>();
        RtmpChunkWriter.Write(video, new(6, 40, 5, RtmpMessageType.Video, 1), [0x17, 1, 0, 0, 0], 128);
        var input = Sequence([.. RawRtmpClient.Connect("live"), .. RawRtmpClient.Command(3, 0, "createStream", 2, null), .. RawRtmpClient.Command(4, 1, "publish", 3, null, "key", "live"), .. video.WrittenSpan]);
        Assert.Equal(RtmpServerEvent.Connect, protocol.Read(ref input));
        protocol.AcceptConnect();
        Assert.Equal(RtmpServerEvent.Publish, protocol.Read(ref input));
        Assert.Equal("key", protocol.PublishName);
        Assert.Throws<InvalidOperationException>(() => protocol.Read(ref input));
        protocol.AcceptPublish(1024 * 1024, 2 * 1024 * 1024);
        Assert.Contains(Parse(protocol), m => RtmpCommand.TryParse(m, out var c, out _) && c!.Name == "onStatus");
        Assert.Equal(RtmpServerEvent.Media, protocol.Read(ref input));
        Assert.Equal(FlvTagKind.VideoKeyframe, protocol.Tag!.Kind);
        Assert.Equal(40u, protocol.Tag.Timestamp);

        var early = new RtmpServerProtocol(64 * 1024, 16);
        input = Sequence([.. RawRtmpClient.Connect("live"), .. video.WrittenSpan]);
        Assert.Equal(RtmpServerEvent.Connect, early.Read(ref input));
        early.AcceptConnect();
        Assert.Equal(RtmpServerEvent.Invalid, early.Read(ref input));
        Assert.Equal("media or data before publish", early.Error);
    }

    private static ReadOnlySequence<byte> Sequence(byte[] data) => new(data);

    private static List<RtmpMessage> Parse(RtmpServerProtocol protocol)
    {
        var buffer = new ReadOnlySequence<byte>(protocol.Output.ToArray());
        protocol.ClearOutput();
        var state = new RtmpChunkStreamState();
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
}
