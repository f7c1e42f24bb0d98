using System.Buffers;
using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using Relay.Ingest.Amf0;
using Relay.Ingest.Media;
using Relay.Ingest.Rtmp;
using Relay.Ingest.Streams;
using Relay.Tests.Common.Hosts;
using Relay.Tests.Common.Media;

namespace Relay.Tests.Integration.Ingest;

/// <summary>
/// What only the native engine (the default) does: answer RTMP itself, pass the publisher's media through as FLV tags
/// byte for byte, tell a refused encoder why, and let a publisher unpublish and publish again.
/// </summary>
[Collection(RealFfmpegCollection.Name)]
public class NativeIngestTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task A_real_ffmpeg_chunk_stream_becomes_the_same_tags_with_the_same_timestamps()
    {
        await using var host = await IngestTestHost.StartAsync();
        var tags = new ConcurrentQueue<FlvTag>();
        using var tap = host.Channels.AddObserver(new HubTap(host.Channels, "capture", tags));

        // The bytes a real ffmpeg 5.1 sent (fmt 1-3 headers with timestamp deltas, its own chunk sizes, two chunk
        // streams for audio and video), replayed whole: only the server's answers are ours.
        var capture = Captures.PublisherToServer;
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        await socket.ConnectAsync(new IPEndPoint(IPAddress.Loopback, host.RtmpPort), Ct);
        await using var stream = new NetworkStream(socket, ownsSocket: false);
        await stream.WriteAsync(capture.AsMemory(0, RtmpHandshake.C0C1Size), Ct);
        var s0s1s2 = new byte[1 + 2 * RtmpHandshake.PacketSize];
        await stream.ReadExactlyAsync(s0s1s2, Ct);
        Assert.Equal(RtmpHandshake.Version, s0s1s2[0]);
        Assert.Equal(capture.AsSpan(1, RtmpHandshake.PacketSize), s0s1s2.AsSpan(1 + RtmpHandshake.PacketSize));
        await stream.WriteAsync(capture.AsMemory(RtmpHandshake.C0C1Size), Ct);

        var expected = ExpectedTags(capture);
        var until = DateTime.UtcNow.AddSeconds(10);
        while (tags.Count < expected.Count && DateTime.UtcNow < until)
        {
            await Task.Delay(20, Ct);
        }

        var received = tags.ToList();
        Assert.Equal(expected.Count, received.Count);
        for (var i = 0; i < expected.Count; i++)
        {
            Assert.Equal(expected[i].Type, received[i].Type);
            Assert.Equal(expected[i].Timestamp, received[i].Timestamp);
            // Media byte for byte; metadata is re-encoded (below).
            Assert.True(expected[i].Type == FlvTagType.Script || expected[i].Body.AsSpan().SequenceEqual(received[i].Body.Span), $"tag {i} ({received[i]}) body differs");
        }

        // The capture's metadata arrives first as FLV onMetaData: the @setDataFrame prefix stripped, the publisher's
        // fields kept except its file's duration and size (ffmpeg said 2 s: it published a 2 s input).
        Assert.Equal(FlvTagKind.Metadata, received[0].Kind);
        GatewayPublishTests.AssertOnMetaData(received[0], width: 320, height: 180);
        var sent = ((IReadOnlyDictionary<string, object?>)new Amf0Reader(expected[0].Body.AsSpan(13)).ReadValue()!).Keys.ToList();
        var kept = ((IReadOnlyDictionary<string, object?>)new Amf0Reader(received[0].Body.Span[13..]).ReadValue()!).Keys.ToList();
        Assert.Contains("duration", sent);
        Assert.Equal(sent.Where(k => k is not ("duration" or "filesize")), kept);
        foreach (var type in new[] { FlvTagType.Audio, FlvTagType.Video })
        {
            var timestamps = received.Where(t => t.Type == type).Select(t => t.Timestamp).ToList();
            Assert.True(timestamps.Count > 10, $"{type}: {timestamps.Count} tags");
            Assert.True(timestamps.Zip(timestamps.Skip(1)).All(p => p.Second >= p.First), $"{type} timestamps not monotonic");
        }

        socket.Dispose();
        await host.WaitForLiveAsync("capture", live: false, TimeSpan.FromSeconds(5));
        Assert.Equal(0, host.Processes.StartedCount);
        Assert.DoesNotContain(host.Logs.Lines, l => l.Contains(Captures.PublishedKey, StringComparison.Ordinal));
        host.AssertLogsClean();
    }

    [Fact]
    public async Task A_real_ffmpeg_with_a_wrong_key_is_told_why_and_no_process_starts()
    {
        await using var host = await IngestTestHost.StartAsync();
        using (var wrong = FfmpegPublisher.Start(host.RtmpUrl("WRONG-KEY"), seconds: 5))
        {
            Assert.True(await wrong.WaitForExitAsync(TimeSpan.FromSeconds(5)), "refused ffmpeg publisher did not give up");
            Assert.NotEqual(0, wrong.ExitCode);
            // ffmpeg prints the description of an error onStatus ("Server error: ..."): the encoder knows it was the key.
            Assert.Contains("Invalid stream key", wrong.Stderr, StringComparison.Ordinal);
        }

        Assert.Equal(0, host.Processes.StartedCount);
        Assert.Empty(host.Channels.LiveChannelIds);
        Assert.Contains(host.Logs.Lines, l => l.Contains("Refused RTMP publish", StringComparison.Ordinal) && l.Contains("bad_key", StringComparison.Ordinal));
        host.AssertLogsClean();
    }

    [Fact]
    public async Task Publish_unpublish_and_republish_on_one_connection_then_a_new_encoder_publishes()
    {
        await using var host = await IngestTestHost.StartAsync();
        await using (var client = await RawRtmpClient.ConnectAsync(host.RtmpPort, Ct))
        {
            await client.HandshakeAsync(Ct);
            await client.ConnectAndPublishAsync("live", IngestTestHost.DemoKey, Ct);
            Assert.True(await client.WaitForStatusAsync("NetStream.Publish.Start", TimeSpan.FromSeconds(5), Ct));
            await host.WaitForLiveAsync("demo", live: true, TimeSpan.FromSeconds(2));

            // What an encoder sends on "Stop Streaming": the channel goes offline, the connection stays usable.
            await client.SendAsync(RawRtmpClient.Command(3, 0, "FCUnpublish", 6, null, IngestTestHost.DemoKey), Ct);
            await client.SendAsync(RawRtmpClient.Command(3, 0, "deleteStream", 7, null, 1.0), Ct);
            await host.WaitForLiveAsync("demo", live: false, TimeSpan.FromSeconds(2));

            await client.SendAsync(RawRtmpClient.Command(3, 0, "createStream", 8, null), Ct);
            await client.SendAsync(RawRtmpClient.Command(4, 1, "publish", 9, null, IngestTestHost.DemoKey, "live"), Ct);
            Assert.True(await client.WaitForStatusAsync("NetStream.Publish.Start", TimeSpan.FromSeconds(5), Ct, occurrences: 2), "republish on the same connection");
            await host.WaitForLiveAsync("demo", live: true, TimeSpan.FromSeconds(2));
        }

        await host.WaitForLiveAsync("demo", live: false, TimeSpan.FromSeconds(5));

        // A real encoder right after: live with media, then its clean end takes the channel offline.
        using (var publisher = FfmpegPublisher.Start(host.RtmpUrl(IngestTestHost.DemoKey), seconds: 3))
        {
            await host.WaitForLiveAsync("demo", live: true, TimeSpan.FromSeconds(10));
            await host.AssertKeyframeArrivesAsync("demo", "media after the republish");
            Assert.True(await publisher.WaitForExitAsync(TimeSpan.FromSeconds(15)));
            Assert.True(publisher.ExitCode == 0, publisher.Stderr);
        }

        await host.WaitForLiveAsync("demo", live: false, TimeSpan.FromSeconds(5));
        Assert.Equal(["live:demo", "offline:demo", "live:demo", "offline:demo", "live:demo", "offline:demo"], host.Events.All);
        Assert.Contains(host.Logs.Lines, l => l.Contains("offline: publisher unpublished", StringComparison.Ordinal));
        Assert.Equal(0, host.Processes.StartedCount);
        host.AssertLogsClean();
    }

    /// <summary>The tags the native engine must produce from a captured publish: media as sent, metadata unwrapped.</summary>
    private static List<(FlvTagType Type, uint Timestamp, byte[] Body)> ExpectedTags(byte[] capture)
    {
        var buffer = new ReadOnlySequence<byte>(capture.AsMemory(RtmpHandshake.C0C1Size + RtmpHandshake.PacketSize));
        var state = new RtmpChunkStreamState();
        var expected = new List<(FlvTagType, uint, byte[])>();
        byte[] setDataFrame = [0x02, 0x00, 0x0D, .. "@setDataFrame"u8];
        while (RtmpChunkReader.TryRead(ref buffer, state, out var message) is RtmpChunkStatus.ChunkConsumed or RtmpChunkStatus.MessageComplete)
        {
            switch (message?.Header.TypeId)
            {
                case RtmpMessageType.Audio when !message.Payload.IsEmpty:
                    expected.Add((FlvTagType.Audio, message.Header.Timestamp, message.Payload.ToArray()));
                    break;
                case RtmpMessageType.Video when !message.Payload.IsEmpty:
                    expected.Add((FlvTagType.Video, message.Header.Timestamp, message.Payload.ToArray()));
                    break;
                case RtmpMessageType.DataAmf0:
                    var payload = message.Payload.Span;
                    expected.Add((FlvTagType.Script, message.Header.Timestamp, (payload.StartsWith(setDataFrame) ? payload[setDataFrame.Length..] : payload).ToArray()));
                    break;
            }
        }

        // A hub subscriber starts at a keyframe: frames before the first one (an early AAC frame) are not delivered.
        var firstKeyframe = expected.FindIndex(t => FlvTagClassifier.Classify(t.Item1, t.Item3) == FlvTagKind.VideoKeyframe);
        return [.. expected.Where((t, i) => i >= firstKeyframe || FlvTagClassifier.Classify(t.Item1, t.Item3) is not (FlvTagKind.AudioFrame or FlvTagKind.VideoInterframe))];
    }

    /// <summary>Subscribes to the channel's hub the moment it goes live (before any media), with room for every tag.</summary>
    private sealed class HubTap(LiveChannelRegistry channels, string channelId, ConcurrentQueue<FlvTag> tags) : ILiveChannelObserver
    {
        public void ChannelLive(string id)
        {
            if (id != channelId || !channels.TryGetHub(id, out var hub))
            {
                return;
            }

            var subscription = hub.Subscribe("tap", limits: new SubscriberLimits(100_000, 1L << 30));
            _ = Task.Run(async () =>
            {
                using (subscription)
                {
                    await foreach (var tag in subscription.Reader.ReadAllAsync())
                    {
                        tags.Enqueue(tag);
                    }
                }
            });
        }

        public void ChannelOffline(string id)
        {
        }
    }
}
