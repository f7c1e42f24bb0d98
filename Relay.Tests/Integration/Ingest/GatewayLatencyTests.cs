using System.Buffers;
using System.Diagnostics;
using Relay.Ingest.Rtmp;
using Relay.Tests.Common.Media;
using Relay.Tests.Common.Hosts;

namespace Relay.Tests.Integration.Ingest;

/// <summary>
/// Measures the added latency of the ingest path (gateway splice → ffmpeg remux → FLV reader → hub → HTTP-FLV)
/// by replaying the captured ffmpeg publish at its own pace and timing each video frame from the moment its
/// RTMP message is written until the same frame arrives at an HTTP-FLV viewer.
/// </summary>
[Collection(RealFfmpegCollection.Name)]
public class GatewayLatencyTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Frames_cross_gateway_ffmpeg_and_hub_within_a_frame_or_two()
    {
        await using var host = await IngestTestHost.StartAsync();
        using var http = new HttpClient();
        var media = CapturedMedia();

        await using var client = await RawRtmpClient.ConnectAsync(host.RtmpPort, Ct);
        await client.HandshakeAsync(Ct);
        await client.ConnectAndPublishAsync("live", IngestTestHost.DemoKey, Ct);
        Assert.True(await client.WaitForStatusAsync("NetStream.Publish.Start", TimeSpan.FromSeconds(5), Ct));
        var clock = Stopwatch.StartNew();
        var viewerTask = FlvHttpReader.ReadAsync(http, host.FlvUrl("demo"), TimeSpan.FromSeconds(4), Ct, clock);
        await Task.Delay(200, Ct);

        var chunkSize = new ArrayBufferWriter<byte>();
        RtmpChunkWriter.WriteSetChunkSize(chunkSize, 4096);
        await client.SendAsync(chunkSize.WrittenSpan.ToArray(), Ct);

        var mediaStart = clock.Elapsed;
        var sentAt = new Dictionary<uint, TimeSpan>();
        foreach (var message in media)
        {
            var due = mediaStart + TimeSpan.FromMilliseconds(message.Header.Timestamp);
            if (due > clock.Elapsed)
            {
                await Task.Delay(due - clock.Elapsed, Ct);
            }

            var chunks = new ArrayBufferWriter<byte>();
            RtmpChunkWriter.Write(chunks, message.Header with { MessageStreamId = 1 }, message.Payload.Span, 4096);
            await client.SendAsync(chunks.WrittenSpan.ToArray(), Ct);
            if (message.Header.TypeId == RtmpMessageType.Video)
            {
                sentAt.TryAdd(message.Header.Timestamp, clock.Elapsed);
            }
        }

        var viewer = await viewerTask;
        var latencies = viewer.Tags
            .Where(t => t.Tag.IsVideo && !t.Tag.IsSequenceHeader && t.Tag.Timestamp >= 1000 && sentAt.ContainsKey(t.Tag.Timestamp))
            .Select(t => t.At - sentAt[t.Tag.Timestamp])
            .Order()
            .ToList();

        Assert.True(latencies.Count >= 20, $"matched only {latencies.Count} frames");
        var median = latencies[latencies.Count / 2];
        var p95 = latencies[(int)(latencies.Count * 0.95)];
        TestContext.Current.TestOutputHelper?.WriteLine($"gateway+ffmpeg+hub+HTTP-FLV latency over {latencies.Count} frames: median {median.TotalMilliseconds:F1} ms, p95 {p95.TotalMilliseconds:F1} ms");
        Assert.True(median < TimeSpan.FromMilliseconds(100), $"median latency {median.TotalMilliseconds} ms");
        await client.DisposeAsync();
        await host.WaitForLiveAsync("demo", live: false, TimeSpan.FromSeconds(5));
        await host.AssertNoFfmpegLeftAsync();
        host.AssertLogsClean();
    }

    /// <summary>The @setDataFrame, audio and video messages of the captured ffmpeg publish, in order.</summary>
    private static List<RtmpMessage> CapturedMedia()
    {
        var capture = Captures.PublisherToServer.AsMemory(RtmpHandshake.C0C1Size + RtmpHandshake.PacketSize);
        var buffer = new ReadOnlySequence<byte>(capture);
        var state = new RtmpChunkStreamState();
        var messages = new List<RtmpMessage>();
        while (RtmpChunkReader.TryRead(ref buffer, state, out var message) is RtmpChunkStatus.ChunkConsumed or RtmpChunkStatus.MessageComplete)
        {
            if (message?.Header.TypeId is RtmpMessageType.Audio or RtmpMessageType.Video or RtmpMessageType.DataAmf0)
            {
                messages.Add(message);
            }
        }

        return messages;
    }
}
