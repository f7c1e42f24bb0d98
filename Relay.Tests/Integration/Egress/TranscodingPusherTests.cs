using System.Diagnostics;
using System.Security.Cryptography.X509Certificates;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Relay.Ingest.Configuration;
using Relay.Ingest.Egress;
using Relay.Ingest.Egress.Rtmp;
using Relay.Ingest.Egress.Transcode;
using Relay.Ingest.Ffmpeg;
using Relay.Ingest.Media;
using TempDir = Relay.Tests.Common.TempDir;
using Relay.Tests.Common;
using Relay.Tests.Common.Media;
using Relay.Tests.Common.Peers;

namespace Relay.Tests.Integration.Egress;

/// <summary>A transcoding destination: ffmpeg changes the media between pipes, the native pusher publishes it.</summary>
[Collection("egress-peers")]
public sealed class TranscodingPusherTests : IAsyncDisposable
{
    private static readonly EgressProfile Vertical = new(VideoBitrateKbps: 600, MaxWidth: 360, MaxHeight: 640, Fps: 30, KeyframeIntervalSeconds: 2, Aspect: "9:16", AudioBitrateKbps: 64);

    private readonly int _portMark = FreePort.Mark;
    private readonly TempDir _dataDir = new();

    public async ValueTask DisposeAsync()
    {
        _dataDir.Dispose();
        await Leftovers.AssertNoneAsync(FreePort.Since(_portMark));
    }

    private TranscodingPusher Pusher(string url, string key, X509Certificate2Collection? roots = null)
    {
        Assert.True(RtmpPushTarget.TryParse(url, key, out var target, out var error), error);
        var processes = new FfmpegProcessRegistry(Options.Create(new IngestOptions { DataDir = _dataDir.Path }), NullLogger<FfmpegProcessRegistry>.Instance);
        return new TranscodingPusher(target!, Vertical, processes, new RtmpPushSettings { ExtraTrustedRoots = roots }, TimeProvider.System, NullLogger.Instance);
    }

    [Fact]
    public async Task Publishes_the_transcoded_picture_over_rtmps_with_the_certificate_verified()
    {
        var clip = await TestClip.LoadAsync();
        var ct = TestContext.Current.CancellationToken;
        await using var nginx = await NginxPeer.StartAsync(withTls: true);
        var roots = new X509Certificate2Collection();
        roots.ImportFromPemFile(nginx.CertificatePath!);
        await using var source = new ReplaySource(clip);
        using var feed = source.Subscribe("t", 512);
        var observer = new PushCounters();
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(ct);
        var push = Pusher($"rtmps://localhost:{nginx.TlsPort}/live", "tk", roots).RunAsync(feed, observer, stop.Token);
        var first = await Task.WhenAny(observer.Live, push, Task.Delay(TimeSpan.FromSeconds(15), ct));
        Assert.True(first == observer.Live, first == push ? $"push ended: {await push}" : "not live in 15 s");

        await using var player = FfmpegPeers.StartPlayer($"rtmp://127.0.0.1:{nginx.RtmpPort}/live/tk");
        await using var recorder = FfmpegPeers.Record(player, Stopwatch.StartNew(), Path.GetTempFileName());
        await recorder.WaitForAsync(t => t.Type == 9 && !t.SequenceHeader && t.Timestamp > 1500, TimeSpan.FromSeconds(15));
        await stop.CancelAsync();
        Assert.Equal(EgressStage.Canceled, (await push).Stage);
        var streams = await FfmpegPeers.ProbeAsync(recorder.RecordingPath);
        Assert.Contains(streams, s => s is { Type: "video", Codec: "h264" } && s.Height <= 640 && Math.Abs((double)s.Width / s.Height - 9.0 / 16) < 0.02);
    }

    [Fact]
    public async Task An_untrusted_rtmps_certificate_fails_the_tls_stage_as_for_a_native_push()
    {
        var clip = await TestClip.LoadAsync();
        await using var nginx = await NginxPeer.StartAsync(withTls: true);
        await using var source = new ReplaySource(clip);
        using var feed = source.Subscribe("t", 512);
        var outcome = await Pusher($"rtmps://localhost:{nginx.TlsPort}/live", "tk").RunAsync(feed, new PushCounters(), TestContext.Current.CancellationToken);
        Assert.Equal(EgressStage.Tls, outcome.Stage);
    }
}
