using System.Buffers;
using CsCheck;
using Relay.Ingest.Amf0;
using Relay.Ingest.Rtmp;
using Relay.Tests.Common.Media;

namespace Relay.Tests.Unit.Ingest.Rtmp;

/// <summary>
/// The gateway's chunk parser on a real OBS Studio 29.0.2 publish (the first 64 KiB, client to server), captured with a
/// TCP tee between OBS (Debian's obs-studio, headless under Xvfb, x264 1280x720 CBR 2500 kbps, AAC 160 kbps; profile
/// as <see cref="ObsProfile"/> writes it, Server <c>rtmp://127.0.0.1:P/live</c>, Stream Key <see cref="CaptureKey"/>)
/// and an ffmpeg 5.1 listener, the process the gateway splices to. OBS differs from ffmpeg's publisher in ways the
/// gateway must take: Set Chunk Size 4096 before connect, <c>releaseStream</c>/<c>FCPublish</c> carrying the key
/// before <c>createStream</c>, and a <c>_checkbw</c> call. The capture ends in the middle of a message.
/// </summary>
public sealed class ObsCaptureParsingTests
{
    public const string CaptureKey = "obs-capture-key";

    private static readonly byte[] Capture = Captures.Load("obs-29-publish.bin");

    private static ReadOnlyMemory<byte> ChunkStream => Capture.AsMemory(RtmpHandshake.C0C1Size + RtmpHandshake.PacketSize);

    [Fact]
    public void Capture_starts_with_an_rtmp_handshake()
    {
        Assert.Equal(64 * 1024, Capture.Length);
        Assert.Equal(RtmpHandshake.Version, Capture[0]);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(3)]
    [InlineData(128)]
    [InlineData(4097)]
    public void Obs_publish_yields_connect_then_publish_with_the_key_then_metadata_and_media_at_any_segmentation(int segmentSize)
    {
        var sequence = segmentSize == 0 ? new ReadOnlySequence<byte>(ChunkStream) : SegmentedSequence.EveryNBytes(ChunkStream, segmentSize);
        var state = new RtmpChunkStreamState();

        var messages = ReadAll(sequence, state, out var last);

        AssertObsPublish(messages, state, last);
    }

    [Fact]
    public void Obs_publish_parses_at_random_segment_boundaries()
    {
        Gen.Int[1, ChunkStream.Length - 1].Array[1, 40].Sample(cuts =>
        {
            var state = new RtmpChunkStreamState();
            var messages = ReadAll(SegmentedSequence.Split(ChunkStream, cuts), state, out var last);
            AssertObsPublish(messages, state, last);
        }, iter: 200);
    }

    [Fact]
    public void Everything_obs_sends_before_publish_fits_the_gateways_pre_publish_limits()
    {
        // The gateway reads up to publish with a 64 KiB message cap and 16 chunk streams (PublishGate.MaxPrePublishMessageSize/MaxPrePublishChunkStreams, both engines).
        var state = new RtmpChunkStreamState(maxMessageSize: 64 * 1024, maxChunkStreams: 16);
        var buffer = SegmentedSequence.EveryNBytes(ChunkStream, 7);
        var names = new List<string>();
        while (!names.Contains("publish"))
        {
            var status = RtmpChunkReader.TryRead(ref buffer, state, out var message);
            Assert.True(status is RtmpChunkStatus.ChunkConsumed or RtmpChunkStatus.MessageComplete, $"{status}: {state.Error}");
            if (status == RtmpChunkStatus.MessageComplete && message!.Header.TypeId == RtmpMessageType.CommandAmf0)
            {
                Assert.True(RtmpCommand.TryParse(message, out var command, out var error), error);
                names.Add(command!.Name);
            }
        }

        // The bytes before publish are small: OBS's whole login is under 1 KiB.
        Assert.InRange(state.BytesConsumed, 200, 1024);
    }

    private static void AssertObsPublish(List<RtmpMessage> messages, RtmpChunkStreamState state, RtmpChunkStatus last)
    {
        Assert.Equal(RtmpChunkStatus.NeedMoreData, last); // the capture is cut inside a message
        Assert.Null(state.Error);
        Assert.Equal(RtmpMessageType.SetChunkSize, messages[0].Header.TypeId);
        Assert.Equal(4096, state.ChunkSize);

        var commands = messages.Where(m => m.Header.TypeId == RtmpMessageType.CommandAmf0)
            .Select(m => { Assert.True(RtmpCommand.TryParse(m, out var c, out var e), e); return c!; }).ToList();
        Assert.Equal(["connect", "releaseStream", "FCPublish", "createStream", "_checkbw", "publish"], commands.Select(c => c.Name));

        var connect = Assert.IsType<Amf0Object>(commands[0].CommandObject);
        Assert.Equal("live", connect["app"]);
        Assert.Equal("nonprivate", connect["type"]);
        Assert.StartsWith("FMLE/3.0", connect["flashVer"] as string);
        Assert.Matches(@"^rtmp://127\.0\.0\.1:\d+/live$", connect["tcUrl"] as string);

        // The key travels three times before media: releaseStream, FCPublish and publish.
        Assert.Equal(CaptureKey, commands[1].Arguments[0]);
        Assert.Equal(CaptureKey, commands[2].Arguments[0]);
        var publish = commands[5];
        Assert.Equal(CaptureKey, publish.Arguments[0]);
        Assert.Equal("live", publish.Arguments[1]);

        var afterPublish = messages.SkipWhile(m => !(m.Header.TypeId == RtmpMessageType.CommandAmf0 && RtmpCommand.TryParse(m, out var c, out _) && c!.Name == "publish")).Skip(1).ToList();
        var metadata = afterPublish.First(m => m.Header.TypeId == RtmpMessageType.DataAmf0);
        var reader = new Amf0Reader(metadata.Payload.Span);
        Assert.Equal("@setDataFrame", reader.ReadValue());
        Assert.Equal("onMetaData", reader.ReadValue());
        var meta = Assert.IsAssignableFrom<IReadOnlyDictionary<string, object?>>(reader.ReadValue());
        Assert.Equal(1280.0, meta["width"]);
        Assert.Equal(720.0, meta["height"]);
        Assert.Equal(30.0, meta["framerate"]);
        Assert.Equal(7.0, meta["videocodecid"]); // AVC
        Assert.Equal(10.0, meta["audiocodecid"]); // AAC

        var video = afterPublish.Where(m => m.Header.TypeId == RtmpMessageType.Video).ToList();
        var audio = afterPublish.Where(m => m.Header.TypeId == RtmpMessageType.Audio).ToList();
        Assert.True(video.Count >= 2, $"{video.Count} video messages");
        Assert.NotEmpty(audio);
        Assert.Equal([0x17, 0x00], video[0].Payload[..2].ToArray()); // AVC sequence header
        Assert.Equal([0x17, 0x01], video[1].Payload[..2].ToArray()); // then a keyframe
        Assert.Equal([0xAF, 0x00], audio[0].Payload[..2].ToArray()); // AAC sequence header
        Assert.Contains(messages, m => m.Payload.Length > state.ChunkSize); // the keyframe spans several 4 KiB chunks
    }

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
}
