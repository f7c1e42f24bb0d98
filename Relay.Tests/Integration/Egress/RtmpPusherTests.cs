using System.Diagnostics;
using Microsoft.Extensions.Logging.Abstractions;
using Relay.Ingest.Egress;
using Relay.Ingest.Egress.Rtmp;
using Relay.Ingest.Egress.Source;
using Relay.Ingest.Media;
using Relay.Tests.Common;
using Relay.Tests.Common.Hosts;
using Relay.Tests.Common.Media;
using Relay.Tests.Common.Peers;

namespace Relay.Tests.Integration.Egress;

[Collection("egress-peers")]
public sealed class RtmpPusherTests : IAsyncDisposable
{
    private readonly int _portMark = FreePort.Mark;

    /// <summary>Runs after the test's own disposals: nothing it started may still run.</summary>
    public async ValueTask DisposeAsync() => await Leftovers.AssertNoneAsync(FreePort.Since(_portMark));

    private static RtmpPusher Pusher(string url, string? key, RtmpPushSettings? settings = null)
    {
        Assert.True(RtmpPushTarget.TryParse(url, key, out var target, out var error), error);
        return new RtmpPusher(target!, settings ?? new RtmpPushSettings(), TimeProvider.System, NullLogger.Instance);
    }

    private static async Task WaitLiveAsync(PushCounters observer, Task<EgressOutcome> push, PeerProcess? peer = null)
    {
        var first = await Task.WhenAny(observer.Live, push, Task.Delay(TimeSpan.FromSeconds(10), TestContext.Current.CancellationToken));
        Assert.True(first == observer.Live, first == push ? $"push ended: {push.Result}\n{peer?.StderrTail}" : $"not live in 10 s\n{peer?.StderrTail}");
    }

    [Fact]
    public async Task Pushes_audio_and_video_with_source_timestamps_to_an_ffmpeg_listener()
    {
        var clip = await TestClip.LoadAsync();
        var ct = TestContext.Current.CancellationToken;
        var port = FreePort.Next();
        var clock = Stopwatch.StartNew();
        await using var sink = FfmpegPeers.StartListener(port);
        await FreePort.WaitListeningPassivelyAsync(port, TimeSpan.FromSeconds(10), sink);
        await using var recorder = FfmpegPeers.Record(sink, clock, Path.GetTempFileName());
        await using var source = new ReplaySource(clip);
        using var feed = source.Subscribe("t", 512);
        var observer = new PushCounters();
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(ct);
        var push = Pusher($"rtmp://127.0.0.1:{port}/live", "sinkkey").RunAsync(feed, observer, stop.Token);

        await WaitLiveAsync(observer, push, sink);
        await recorder.WaitForAsync(t => t.Type == 9 && t.Timestamp >= 2000, TimeSpan.FromSeconds(10));
        await stop.CancelAsync();
        Assert.Equal(EgressStage.Canceled, (await push).Stage);
        Assert.True(await sink.WaitForExitAsync(TimeSpan.FromSeconds(5)), "the listener ends when the publisher unpublishes");

        EgressTestHost.AssertCarriesSource(recorder, source, "ffmpeg listener");
        var streams = await FfmpegPeers.ProbeAsync(recorder.RecordingPath);
        Assert.Contains(("video", "h264", 640, 360), streams);
        Assert.Contains(streams, s => s is { Type: "audio", Codec: "aac" });
        Assert.True(observer.BytesSent > 100_000);
    }

    [Fact]
    public async Task A_destination_that_stops_reading_gets_every_frame_intact_once_it_reads_again()
    {
        // The proxy stops reading for 1.5 s of every 2 s with a tiny receive window, so the pusher's non-blocking
        // sends on the publisher's thread come back partial or refused: the remainder and the tags queued behind it
        // must reach the server in order, byte-exact (ffmpeg's parser would lose sync otherwise).
        var clip = await TestClip.LoadAsync();
        var ct = TestContext.Current.CancellationToken;
        var port = FreePort.Next();
        var clock = Stopwatch.StartNew();
        await using var sink = FfmpegPeers.StartListener(port);
        await FreePort.WaitListeningPassivelyAsync(port, TimeSpan.FromSeconds(10), sink);
        await using var proxy = new StutteringProxy(port, pause: TimeSpan.FromMilliseconds(1500), every: TimeSpan.FromSeconds(2));
        await using var recorder = FfmpegPeers.Record(sink, clock, Path.GetTempFileName());
        await using var source = new ReplaySource(clip);
        using var feed = source.Subscribe("t", 4096);
        var observer = new PushCounters();
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(ct);
        var push = Pusher($"rtmp://127.0.0.1:{proxy.Port}/live", "sinkkey", new RtmpPushSettings { SendBufferSize = 16 * 1024 }).RunAsync(feed, observer, stop.Token);

        await WaitLiveAsync(observer, push, sink);
        await recorder.WaitForAsync(t => t.Type == 9 && !t.SequenceHeader, TimeSpan.FromSeconds(10));
        var droppedBefore = feed.DroppedFrames; // frames before the first keyframe are never sent
        await recorder.WaitForAsync(t => t.Type == 9 && t.Timestamp >= 7000, TimeSpan.FromSeconds(20));
        await stop.CancelAsync();
        Assert.Equal(EgressStage.Canceled, (await push).Stage);

        Assert.True(proxy.Pauses >= 3, $"the proxy paused {proxy.Pauses} times");
        Assert.Equal(droppedBefore, feed.DroppedFrames);
        EgressTestHost.AssertCarriesSource(recorder, source, "ffmpeg listener behind a stalling proxy");
        var video = recorder.Tags.Where(t => t.Type == 9 && !t.SequenceHeader).Select(t => t.Timestamp).ToHashSet();
        var (first, last) = (video.Min(), video.Max());
        List<uint> missing;
        lock (source.Emitted)
        {
            missing = source.Emitted.Where(e => e.Type == 9 && e.Timestamp > first && e.Timestamp < last && !video.Contains(e.Timestamp))
                .Select(e => e.Timestamp).Order().Take(5).ToList();
        }

        Assert.True(missing.Count == 0, $"video frames lost between {first} and {last} ms: {string.Join(", ", missing)}");
        var streams = await FfmpegPeers.ProbeAsync(recorder.RecordingPath);
        Assert.Contains(("video", "h264", 640, 360), streams);
    }

    /// <summary>A TCP proxy whose reading side stops for a while, again and again (a congested uplink).</summary>
    private sealed class StutteringProxy : IAsyncDisposable
    {
        private readonly System.Net.Sockets.Socket _listener;
        private readonly CancellationTokenSource _stop = new();
        private readonly Task _loop;
        private int _pauses;

        public StutteringProxy(int upstreamPort, TimeSpan pause, TimeSpan every)
        {
            _listener = new System.Net.Sockets.Socket(System.Net.Sockets.SocketType.Stream, System.Net.Sockets.ProtocolType.Tcp)
            {
                ReceiveBufferSize = 4096, // inherited by the accepted socket: a small window fills fast
            };
            _listener.Bind(new System.Net.IPEndPoint(System.Net.IPAddress.Loopback, 0));
            _listener.Listen();
            Port = ((System.Net.IPEndPoint)_listener.LocalEndPoint!).Port;
            _loop = Task.Run(() => RunAsync(upstreamPort, pause, every, _stop.Token));
        }

        public int Port { get; }

        public int Pauses => Volatile.Read(ref _pauses);

        private async Task RunAsync(int upstreamPort, TimeSpan pause, TimeSpan every, CancellationToken ct)
        {
            try
            {
                using var client = await _listener.AcceptAsync(ct);
                using var upstream = new System.Net.Sockets.Socket(System.Net.Sockets.SocketType.Stream, System.Net.Sockets.ProtocolType.Tcp);
                await upstream.ConnectAsync(System.Net.IPAddress.Loopback, upstreamPort, ct);
                var back = Task.Run(async () =>
                {
                    var buffer = new byte[16 * 1024];
                    int n;
                    while ((n = await upstream.ReceiveAsync(buffer, ct)) > 0) await client.SendAsync(buffer.AsMemory(0, n), ct);
                }, ct);
                var forward = new byte[4096];
                var since = Stopwatch.StartNew();
                while (true)
                {
                    if (since.Elapsed >= every - pause)
                    {
                        Interlocked.Increment(ref _pauses);
                        await Task.Delay(pause, ct);
                        since.Restart();
                    }

                    var n = await client.ReceiveAsync(forward, ct);
                    if (n == 0) break;
                    await upstream.SendAsync(forward.AsMemory(0, n), ct);
                }

                upstream.Shutdown(System.Net.Sockets.SocketShutdown.Send);
                await back.WaitAsync(TimeSpan.FromSeconds(5), ct);
            }
            catch (Exception ex) when (ex is OperationCanceledException or System.Net.Sockets.SocketException or TimeoutException)
            {
            }
        }

        public async ValueTask DisposeAsync()
        {
            await _stop.CancelAsync();
            _listener.Dispose();
            await _loop;
            _stop.Dispose();
        }
    }

    [Fact]
    public async Task Pushes_to_nginx_rtmp_and_a_player_receives_it()
    {
        var clip = await TestClip.LoadAsync();
        var ct = TestContext.Current.CancellationToken;
        await using var nginx = await NginxPeer.StartAsync();
        var clock = Stopwatch.StartNew();
        await using var source = new ReplaySource(clip);
        using var feed = source.Subscribe("t", 512);
        var observer = new PushCounters();
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(ct);
        // The key rides in the URL's last segment here (no separate stream key).
        var push = Pusher($"rtmp://127.0.0.1:{nginx.RtmpPort}/live/k1", null).RunAsync(feed, observer, stop.Token);
        await WaitLiveAsync(observer, push);
        await using var player = FfmpegPeers.StartPlayer($"rtmp://127.0.0.1:{nginx.RtmpPort}/live/k1");
        await using var recorder = FfmpegPeers.Record(player, clock, Path.GetTempFileName());

        var firstVideo = await recorder.WaitForAsync(t => t.Type == 9 && !t.SequenceHeader, TimeSpan.FromSeconds(10));
        await recorder.WaitForAsync(t => t.Type == 8 && !t.SequenceHeader && t.Timestamp > firstVideo.Timestamp + 1000, TimeSpan.FromSeconds(10));
        await stop.CancelAsync();
        Assert.Equal(EgressStage.Canceled, (await push).Stage);

        EgressTestHost.AssertCarriesSource(recorder, source, "nginx-rtmp");
        var streams = await FfmpegPeers.ProbeAsync(recorder.RecordingPath);
        Assert.Contains(("video", "h264", 640, 360), streams);
        Assert.Contains(streams, s => s is { Type: "audio", Codec: "aac" });
    }

    [Fact]
    public async Task An_untrusted_rtmps_certificate_fails_the_tls_stage()
    {
        await using var nginx = await NginxPeer.StartAsync(withTls: true);
        await using var source = new ReplaySource([]);
        using var feed = source.Subscribe("t", 8);
        // No extra trust: the terminator's self-signed certificate must be refused.
        var outcome = await Pusher($"rtmps://localhost:{nginx.TlsPort}/live", "k").RunAsync(feed, new PushCounters(), TestContext.Current.CancellationToken);
        Assert.Equal(EgressStage.Tls, outcome.Stage);
        Assert.StartsWith("TLS handshake failed", outcome.Error);
    }

    [Fact]
    public async Task Plain_rtmp_to_a_tls_port_fails_the_handshake_stage_in_time()
    {
        await using var nginx = await NginxPeer.StartAsync(withTls: true);
        await using var source = new ReplaySource([]);
        using var feed = source.Subscribe("t", 8);
        var outcome = await Pusher($"rtmp://127.0.0.1:{nginx.TlsPort}/live", "k", new RtmpPushSettings { SetupTimeout = TimeSpan.FromSeconds(2) })
            .RunAsync(feed, new PushCounters(), TestContext.Current.CancellationToken);
        Assert.True(outcome.Stage is EgressStage.Handshake or EgressStage.Connect, outcome.ToString());
    }

    [Fact]
    public async Task A_refused_connection_is_reported_in_words()
    {
        var port = FreePort.Next();
        await using var source = new ReplaySource([]);
        using var feed = source.Subscribe("t", 8);
        var outcome = await Pusher($"rtmp://127.0.0.1:{port}/live", "k").RunAsync(feed, new PushCounters(), TestContext.Current.CancellationToken);
        Assert.Equal(new EgressOutcome(EgressStage.Connect, "connection refused"), outcome);
    }
}
