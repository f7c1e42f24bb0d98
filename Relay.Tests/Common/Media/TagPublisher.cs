using System.Buffers;
using System.Diagnostics;
using Relay.Ingest.Media;
using Relay.Ingest.Rtmp;

namespace Relay.Tests.Common.Media;

/// <summary>
/// Publishes prepared FLV tags to an RTMP server over a real socket, paced by their timestamps like a live encoder:
/// the handshake and commands of <see cref="RawRtmpClient"/> (as OBS sends them), then each tag as an RTMP audio, video
/// or data message. What ffmpeg 5.1 cannot publish (Enhanced RTMP) goes out this way.
/// </summary>
internal static class TagPublisher
{
    private const int ChunkSize = 4096;

    public static async Task<RawRtmpClient> StartAsync(int port, string key, CancellationToken cancellationToken)
    {
        var client = await RawRtmpClient.ConnectAsync(port, cancellationToken);
        await client.HandshakeAsync(cancellationToken);
        await client.ConnectAndPublishAsync("live", key, cancellationToken);
        Assert.True(await client.WaitForStatusAsync("NetStream.Publish.Start", TimeSpan.FromSeconds(10), cancellationToken), "the publish was not accepted");
        // The commands went out in 128-byte chunks; media goes in larger ones, as OBS sends it.
        var setChunkSize = new ArrayBufferWriter<byte>();
        RtmpChunkWriter.WriteSetChunkSize(setChunkSize, ChunkSize);
        await client.SendAsync(setChunkSize.WrittenSpan.ToArray(), cancellationToken);
        return client;
    }

    /// <summary>Sends <paramref name="tags"/> in real time (timestamps from now), shifted by <paramref name="offset"/> ms.</summary>
    public static async Task SendAsync(RawRtmpClient client, IReadOnlyList<FlvTag> tags, CancellationToken cancellationToken, uint offset = 0)
    {
        var clock = Stopwatch.StartNew();
        var first = tags.Count > 0 ? tags.Min(t => t.Timestamp) : 0;
        foreach (var tag in tags)
        {
            var wait = TimeSpan.FromMilliseconds(tag.Timestamp - first) - clock.Elapsed;
            if (wait > TimeSpan.Zero) await Task.Delay(wait, cancellationToken);
            await client.SendAsync(Message(tag, offset), cancellationToken);
        }
    }

    public static byte[] Message(FlvTag tag, uint offset = 0)
    {
        var (chunkStream, type) = tag.Type switch
        {
            FlvTagType.Audio => (4, RtmpMessageType.Audio),
            FlvTagType.Video => (6, RtmpMessageType.Video),
            _ => (5, RtmpMessageType.DataAmf0),
        };
        var output = new ArrayBufferWriter<byte>();
        RtmpChunkWriter.Write(output, new RtmpMessageHeader(chunkStream, tag.Timestamp + offset, tag.BodyLength, type, 1), tag.Body.Span, ChunkSize);
        return output.WrittenSpan.ToArray();
    }
}
