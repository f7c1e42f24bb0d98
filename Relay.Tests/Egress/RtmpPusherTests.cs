using System.Diagnostics;
using Microsoft.Extensions.Logging.Abstractions;
using Relay.Ingest.Egress;
using Relay.Ingest.Egress.Rtmp;
using Relay.Ingest.Egress.Source;
using Relay.Ingest.Flv;
using Relay.Tests.Egress.Harness;

namespace Relay.Tests.Egress;

[Collection("egress-peers")]
public sealed class RtmpPusherTests : IAsyncDisposable
{
    private readonly int _portMark = FreePort.Mark;

    /// <summary>Runs after the test's own disposals: nothing it started may still run.</summary>
    public async ValueTask DisposeAsync() => await Leftovers.AssertNoneAsync(FreePort.Since(_portMark));

    private sealed class Observer : IEgressPushObserver
    {
        public TaskCompletionSource Live { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
        public long Bytes;
        public void OnLive() => Live.TrySetResult();
        public void OnSent(FlvTag frame, int wireBytes) => Interlocked.Add(ref Bytes, wireBytes);
    }

    private static RtmpPusher Pusher(string url, string? key, RtmpPushSettings? settings = null)
    {
        Assert.True(RtmpPushTarget.TryParse(url, key, out var target, out var error), error);
        return new RtmpPusher(target!, settings ?? new RtmpPushSettings(), TimeProvider.System, NullLogger.Instance);
    }

    private static async Task WaitLiveAsync(Observer observer, Task<EgressOutcome> push, PeerProcess? peer = null)
    {
        var first = await Task.WhenAny(observer.Live.Task, push, Task.Delay(TimeSpan.FromSeconds(10), TestContext.Current.CancellationToken));
        Assert.True(first == observer.Live.Task, first == push ? $"push ended: {push.Result}\n{peer?.StderrTail}" : $"not live in 10 s\n{peer?.StderrTail}");
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
        var observer = new Observer();
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
        Assert.True(observer.Bytes > 100_000);
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
        var observer = new Observer();
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
        var outcome = await Pusher($"rtmps://localhost:{nginx.TlsPort}/live", "k").RunAsync(feed, new Observer(), TestContext.Current.CancellationToken);
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
            .RunAsync(feed, new Observer(), TestContext.Current.CancellationToken);
        Assert.True(outcome.Stage is EgressStage.Handshake or EgressStage.Connect, outcome.ToString());
    }

    [Fact]
    public async Task A_refused_connection_is_reported_in_words()
    {
        var port = FreePort.Next();
        await using var source = new ReplaySource([]);
        using var feed = source.Subscribe("t", 8);
        var outcome = await Pusher($"rtmp://127.0.0.1:{port}/live", "k").RunAsync(feed, new Observer(), TestContext.Current.CancellationToken);
        Assert.Equal(new EgressOutcome(EgressStage.Connect, "connection refused"), outcome);
    }
}
