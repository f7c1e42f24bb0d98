using System.Net;
using System.Net.Sockets;
using System.Text;
using Microsoft.AspNetCore.SignalR.Client;
using Relay.Chat.Contracts;
using Relay.Ingest.Configuration;
using Relay.Ingest.Diagnostics;
using Relay.Tests.Common.Hosts;
using Relay.Tests.Common;
using Relay.Tests.Common.Media;

namespace Relay.Tests.Faults;

/// <summary>
/// Bounded leak soaks and the slow-viewer memory bound. Measured alone (<see cref="FaultsSerialCollection"/>): the
/// footprint is this process's, so no other test may run meanwhile. Each soak takes its baseline after a warm-up
/// cycle (JIT, pools and lazily created singletons are not leaks) and compares after the last cycle with a tolerance
/// far below what the cycles would leak if each kept one socket, thread or buffer.
/// </summary>
[Trait("Category", "Faults")]
[Collection(FaultsSerialCollection.Name)]
public sealed class SoakTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Publish_unpublish_cycles_leave_no_ffmpeg_handles_threads_or_memory_behind()
    {
        // Mostly raw RTMP publishes (each goes live, ~0.2 s), every tenth a real ffmpeg encoder sending media for a
        // second, so the media path (parser, hub, HTTP-FLV-less fan-out) cycles too.
        var cycles = FaultScale.Of(25);
        await using var host = await IngestTestHost.StartAsync(new Dictionary<string, string?>
        {
            // The soak cycles on purpose: lift the per-channel publish-start rate that would refuse it after 12.
            ["Relay:Ingest:MaxPublishStartsPerChannelPerMinute"] = "10000",
        });
        await CycleAsync(host, 0);
        await host.AssertNoFfmpegLeftAsync();
        var before = ProcessFootprint.Take();
        var started = host.Processes.StartedCount;
        for (var i = 1; i <= cycles; i++)
        {
            await CycleAsync(host, i);
        }

        await host.AssertNoFfmpegLeftAsync(TimeSpan.FromSeconds(10));
        Assert.Equal(0, host.Processes.StartedCount - started);
        // A leaked connection costs at least 3 fds (client, gateway side, ffmpeg pipe/socket): 25 cycles would add 75.
        var after = await ProcessFootprint.SettleWithinAsync(before, handles: 15, threads: 10, bytes: 8 * 1024 * 1024);
        TestContext.Current.TestOutputHelper?.WriteLine($"{cycles} publish cycles: before {before}; after {after}");
        Assert.True(after.Handles <= before.Handles + 15, $"fds grew {before.Handles} -> {after.Handles}");
        Assert.True(after.Threads <= before.Threads + 10, $"threads grew {before.Threads} -> {after.Threads}");
        Assert.True(after.ManagedBytes <= before.ManagedBytes + 8 * 1024 * 1024, $"managed heap grew {before} -> {after}");
    }

    private static async Task CycleAsync(IngestTestHost host, int i)
    {
        if (i % 10 == 5)
        {
            using var publisher = FfmpegPublisher.Start(host.RtmpUrl(IngestTestHost.DemoKey), seconds: 1, size: "320x180");
            await host.WaitForLiveAsync("demo", live: true, TimeSpan.FromSeconds(10));
            Assert.True(await publisher.WaitForExitAsync(TimeSpan.FromSeconds(15)), "the 1 s publish did not end");
        }
        else
        {
            await using var client = await RawRtmpClient.ConnectAsync(host.RtmpPort, Ct);
            await client.HandshakeAsync(Ct);
            await client.ConnectAndPublishAsync("live", IngestTestHost.DemoKey, Ct);
            Assert.True(await client.WaitForStatusAsync("NetStream.Publish.Start", TimeSpan.FromSeconds(5), Ct), $"cycle {i}: publish refused");
        }

        await host.WaitForLiveAsync("demo", live: false, TimeSpan.FromSeconds(10));
    }

    [Fact]
    public async Task Hub_connect_join_disconnect_cycles_leave_no_handles_threads_or_memory_behind()
    {
        var cycles = FaultScale.Of(500);
        await using var host = await ChatTestHost.StartAsync();
        await using var watcher = host.Connect("json");
        await watcher.StartAsync(Ct);
        var joined = await watcher.InvokeAsync<JoinSnapshot>("Join", ChatTestHost.Channel, new JoinOptions(), Ct);
        async Task CycleAsync(int i)
        {
            await using var viewer = host.Connect(i % 2 == 0 ? "json" : "messagepack");
            await viewer.StartAsync(Ct);
            await viewer.InvokeAsync<JoinSnapshot>("Join", ChatTestHost.Channel, new JoinOptions { DisplayName = $"v{i}" }, Ct);
        }

        for (var i = 0; i < 20; i++) await CycleAsync(i);
        // The test host keeps every Debug log line for its secret checks (~8 KB of SignalR lines per connection):
        // that is the harness's memory, not the relay's, so it is emptied before each measurement.
        host.Logs.Clear();
        var before = ProcessFootprint.Take();
        // Four at a time: closer to a crowd arriving than one by one, still light on 2 cores.
        for (var i = 0; i < cycles; i += 4)
        {
            await Task.WhenAll(Enumerable.Range(i, Math.Min(4, cycles - i)).Select(CycleAsync));
        }

        // Every viewer left: the room counts only the watcher again.
        var snapshot = await watcher.InvokeAsync<JoinSnapshot>("Join", ChatTestHost.Channel, new JoinOptions(), Ct);
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (snapshot.Viewers > joined.Viewers && DateTime.UtcNow < deadline)
        {
            await Task.Delay(100, Ct);
            snapshot = await watcher.InvokeAsync<JoinSnapshot>("Join", ChatTestHost.Channel, new JoinOptions(), Ct);
        }

        Assert.Equal(joined.Viewers, snapshot.Viewers);
        TestContext.Current.TestOutputHelper?.WriteLine($"log capture held {host.Logs.Sum(l => (long)l.Length) * 2 / 1024} KiB of lines");
        host.Logs.Clear();
        // A leaked connection holds a socket (>= 1 fd each side) and its SignalR state (tens of KB): 500 would show.
        var after = await ProcessFootprint.SettleWithinAsync(before, handles: 20, threads: 10, bytes: 8 * 1024 * 1024);
        TestContext.Current.TestOutputHelper?.WriteLine($"{cycles} hub cycles: before {before}; after {after}");
        Assert.True(after.Handles <= before.Handles + 20, $"fds grew {before.Handles} -> {after.Handles}");
        Assert.True(after.Threads <= before.Threads + 10, $"threads grew {before.Threads} -> {after.Threads}");
        Assert.True(after.ManagedBytes <= before.ManagedBytes + 8 * 1024 * 1024, $"managed heap grew {before} -> {after}");
    }

    [Fact]
    public async Task Stalled_HTTP_FLV_viewers_hold_at_most_their_queue_and_the_healthy_one_plays_on()
    {
        // The stall itself and the drop count are GatewayLifecycleTests.A_stalled_HTTP_FLV_reader_loses_only_its_own_frames;
        // what it does not show is that many stalled viewers cost bounded memory.
        const int stalledViewers = 12;
        const long queueBytes = 256 * 1024;
        await using var host = await IngestTestHost.StartAsync(new Dictionary<string, string?>
        {
            ["Relay:Ingest:SubscriberQueueSize"] = "60",
            ["Relay:Ingest:SubscriberQueueBytes"] = queueBytes.ToString(),
        });
        using var publisher = FfmpegPublisher.Start(host.RtmpUrl(IngestTestHost.DemoKey), seconds: 30, size: "1280x720", extraVideoArgs: "-b:v 6M -minrate 6M -maxrate 6M -bufsize 1M -x264-params nal-hrd=cbr");
        await host.WaitForLiveAsync("demo", live: true, TimeSpan.FromSeconds(10));
        await Task.Delay(1000, Ct);
        var before = ProcessFootprint.Take();
        var droppedBefore = IngestMetrics.FanoutDroppedFrames.WithLabels("demo", "http_flv").Value;
        var stalled = new List<Socket>();
        try
        {
            for (var i = 0; i < stalledViewers; i++)
            {
                var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { ReceiveBufferSize = 4096 };
                stalled.Add(socket);
                await socket.ConnectAsync(new IPEndPoint(IPAddress.Loopback, host.HttpBase.Port), Ct);
                await socket.SendAsync(Encoding.ASCII.GetBytes("GET /live/demo.flv HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"), Ct);
            }

            using var http = new HttpClient();
            // 8 s at 6 Mbit/s is 6 MB per viewer: unbounded queues would hold ~70 MB for 12 of them.
            var healthy = await FlvHttpReader.ReadAsync(http, host.FlvUrl("demo"), TimeSpan.FromSeconds(8), Ct);
            var during = ProcessFootprint.Take();

            var frames = healthy.Tags.Where(t => t.Tag.IsVideo && !t.Tag.IsSequenceHeader).ToList();
            var worstGap = frames.Zip(frames.Skip(1)).Max(p => p.Second.At - p.First.At);
            Assert.True(frames.Count >= 200, $"healthy viewer got {frames.Count} frames in 8 s");
            // The 500 ms bound for one stalled viewer is GatewayLifecycleTests'; here 12 stalled sockets and the 720p
            // encoder share 2 cores (measured up to ~1 s under a parallel benchmark). A healthy viewer held up by the
            // stalled ones would not get its frames at all.
            Assert.True(worstGap < TimeSpan.FromSeconds(2), $"healthy viewer stalled for {worstGap}");
            Assert.True(IngestMetrics.FanoutDroppedFrames.WithLabels("demo", "http_flv").Value - droppedBefore >= stalledViewers, "the stalled viewers' drops were not all counted");
            // Each stalled viewer: its queue plus Kestrel's response buffer (64 KB) and one tag in flight (< 1 MB at
            // 6 Mbit/s keyframes); 24 MB of slack for the healthy reader's recorded tags and GC noise.
            var bound = stalledViewers * (queueBytes + 64 * 1024 + 1024 * 1024) + 24L * 1024 * 1024;
            TestContext.Current.TestOutputHelper?.WriteLine($"{stalledViewers} stalled viewers: before {before}; during {during}; bound +{bound / 1024 / 1024} MiB");
            Assert.True(during.ManagedBytes - before.ManagedBytes < bound, $"managed heap grew {(during.ManagedBytes - before.ManagedBytes) / 1024 / 1024} MiB with {stalledViewers} stalled viewers");
            Assert.False(publisher.HasExited, publisher.Stderr);
        }
        finally
        {
            foreach (var socket in stalled) socket.Dispose();
        }
    }
}
