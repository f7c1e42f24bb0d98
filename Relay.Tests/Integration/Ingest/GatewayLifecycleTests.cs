using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;
using Relay.Ingest.Configuration;
using Relay.Ingest.Diagnostics;
using Relay.Tests.Common.Media;
using Relay.Tests.Common.Hosts;

namespace Relay.Tests.Integration.Ingest;

/// <summary>Publisher failures and slow viewers.</summary>
[Collection(RealFfmpegCollection.Name)]
public class GatewayLifecycleTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Publisher_disconnect_goes_offline_cleanly_and_the_next_publish_is_live()
    {
        await using var host = await IngestTestHost.StartAsync();

        // 1. The publisher goes away abruptly.
        using (var first = FfmpegPublisher.Start(host.RtmpUrl(IngestTestHost.DemoKey)))
        {
            await host.WaitForLiveAsync("demo", live: true, TimeSpan.FromSeconds(10));
            first.Dispose();
            await host.WaitForLiveAsync("demo", live: false, TimeSpan.FromSeconds(3));
        }

        await host.AssertNoFfmpegLeftAsync();

        // 2. And the next publish is live again, with media flowing.
        using (var third = FfmpegPublisher.Start(host.RtmpUrl(IngestTestHost.DemoKey), seconds: 3))
        {
            await host.WaitForLiveAsync("demo", live: true, TimeSpan.FromSeconds(10));
            await host.AssertKeyframeArrivesAsync("demo", "media after the publisher came back");
            Assert.True(await third.WaitForExitAsync(TimeSpan.FromSeconds(10)));
        }

        await host.WaitForLiveAsync("demo", live: false, TimeSpan.FromSeconds(3));
        await host.AssertNoFfmpegLeftAsync();
        Assert.Equal(["live:demo", "offline:demo", "live:demo", "offline:demo"], host.Events.All);
        host.AssertLogsClean();
    }

    [Fact]
    public async Task Server_side_stop_disconnects_the_publisher()
    {
        await using var host = await IngestTestHost.StartAsync();
        using var publisher = FfmpegPublisher.Start(host.RtmpUrl(IngestTestHost.DemoKey));
        await host.WaitForLiveAsync("demo", live: true, TimeSpan.FromSeconds(10));

        await host.Channels.StopAsync("demo", Ct).WaitAsync(TimeSpan.FromSeconds(3), Ct);

        Assert.False(host.Channels.IsLive("demo"));
        Assert.True(await publisher.WaitForExitAsync(TimeSpan.FromSeconds(5)), "publisher still connected after StopAsync");
        await host.AssertNoFfmpegLeftAsync();
        host.AssertLogsClean();
    }

    [Fact]
    public async Task A_publisher_that_goes_silent_is_disconnected_after_the_inactivity_timeout()
    {
        await using var host = await IngestTestHost.StartAsync(new Dictionary<string, string?>
        {
            ["Relay:Ingest:InactivityTimeoutSeconds"] = "1",
        });
        await using var client = await RawRtmpClient.ConnectAsync(host.RtmpPort, Ct);
        await client.HandshakeAsync(Ct);
        await client.ConnectAndPublishAsync("live", IngestTestHost.DemoKey, Ct);
        Assert.True(await client.WaitForStatusAsync("NetStream.Publish.Start", TimeSpan.FromSeconds(5), Ct));

        // No media follows: a half-open or frozen encoder must not hold the channel forever.
        var closed = await client.WaitForCloseAsync(TimeSpan.FromSeconds(5), Ct);

        Assert.NotNull(closed);
        Assert.InRange(closed.Value.TotalSeconds, 0.5, 3);
        await host.WaitForLiveAsync("demo", live: false, TimeSpan.FromSeconds(3));
        Assert.Contains(host.Logs.Lines, l => l.Contains("publisher inactive", StringComparison.Ordinal));
        await host.AssertNoFfmpegLeftAsync();
    }

    [Fact]
    public async Task A_stalled_HTTP_FLV_reader_loses_only_its_own_frames()
    {
        await using var host = await IngestTestHost.StartAsync(new Dictionary<string, string?>
        {
            // Small queues so the stall shows within seconds instead of after the socket buffers fill.
            ["Relay:Ingest:SubscriberQueueSize"] = "60",
            ["Relay:Ingest:SubscriberQueueBytes"] = "262144",
        });
        using var http = new HttpClient();
        // A higher bitrate fills the stalled socket's buffers quickly.
        using var publisher = FfmpegPublisher.Start(host.RtmpUrl(IngestTestHost.DemoKey), seconds: 20, size: "1280x720", extraVideoArgs: "-b:v 6M -minrate 6M -maxrate 6M -bufsize 1M -x264-params nal-hrd=cbr");
        await host.WaitForLiveAsync("demo", live: true, TimeSpan.FromSeconds(10));
        var droppedBefore = IngestMetrics.FanoutDroppedFrames.WithLabels("demo", "http_flv").Value;

        // The stalled viewer: sends the request, then never reads, with a tiny receive window.
        using var stalled = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { ReceiveBufferSize = 4096 };
        await stalled.ConnectAsync(new IPEndPoint(IPAddress.Loopback, host.HttpBase.Port), Ct);
        await stalled.SendAsync(Encoding.ASCII.GetBytes($"GET /live/demo.flv HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"), Ct);

        var healthy = await FlvHttpReader.ReadAsync(http, host.FlvUrl("demo"), TimeSpan.FromSeconds(6), Ct);

        var frames = healthy.Tags.Where(t => t.Tag.IsVideo && !t.Tag.IsSequenceHeader).ToList();
        var worstGap = frames.Zip(frames.Skip(1)).Max(p => p.Second.At - p.First.At);
        // Every frame the encoder sent while the healthy viewer read reached it: its media timestamps advance one frame
        // (33 ms at 30 fps) at a time. Counted against the encoder's own output, not the wall clock: on a loaded machine
        // ffmpeg may encode 720p at 6 Mbit/s slower than real time, which is no loss of Relay's.
        Assert.True(frames.Count >= 60, $"healthy viewer got only {frames.Count} frames in 6 s");
        var mediaSpan = frames[^1].Tag.Timestamp - frames[0].Tag.Timestamp;
        var expected = mediaSpan / (1000.0 / 30) + 1;
        Assert.True(frames.Count >= expected * 0.95,
            $"healthy viewer got {frames.Count} frames over {mediaSpan} ms of media, where the encoder sent about {expected:F0}");
        Assert.True(worstGap < TimeSpan.FromMilliseconds(500), $"healthy viewer stalled for {worstGap}");
        var dropped = IngestMetrics.FanoutDroppedFrames.WithLabels("demo", "http_flv").Value - droppedBefore;
        Assert.True(dropped > 0, "the stalled viewer's drops were not counted");
        Assert.True(host.Channels.TryGetHub("demo", out var hub));
        // Only the stalled one is left once the healthy viewer's request has wound down.
        var until = DateTime.UtcNow.AddSeconds(3);
        while (hub.SubscriberCount != 1 && DateTime.UtcNow < until)
        {
            await Task.Delay(20, Ct);
        }

        Assert.Equal(1, hub.SubscriberCount);
        TestContext.Current.TestOutputHelper?.WriteLine($"stalled viewer dropped {dropped} frames; healthy viewer worst gap {worstGap.TotalMilliseconds:F0} ms");
        Assert.False(publisher.HasExited, publisher.Stderr);
    }
}
