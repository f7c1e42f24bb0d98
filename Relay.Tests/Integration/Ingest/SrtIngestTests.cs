using System.Net;
using Relay.Ingest.Diagnostics;
using Relay.Ingest.Media;
using Relay.Tests.Common;
using Relay.Tests.Common.Hosts;
using Relay.Tests.Common.Media;

namespace Relay.Tests.Integration.Ingest;

/// <summary>Real ffmpeg publishing MPEG-TS over SRT (libsrt both sides) into the real SRT listener and out over HTTP-FLV.</summary>
[Collection(RealFfmpegCollection.Name)]
public class SrtIngestTests
{
    private const int Fps = 30;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Ffmpeg_over_SRT_goes_live_with_both_streamid_forms_and_plays_over_HTTP_FLV()
    {
        await using var host = await IngestTestHost.StartAsync(IngestTestHost.WithSrt());
        using var http = new HttpClient();

        using (var publisher = FfmpegPublisher.Start(host.SrtUrl(IngestTestHost.DemoKey), seconds: 4, format: "mpegts"))
        {
            await host.WaitForLiveAsync("demo", live: true, TimeSpan.FromSeconds(10));
            await host.AssertKeyframeArrivesAsync("demo", "media flows from SRT into the hub");
            var viewer = await FlvHttpReader.ReadAsync(http, host.FlvUrl("demo"), TimeSpan.FromSeconds(1.5), Ct);
            var tags = viewer.Tags.Select(t => t.Tag).ToList();
            Assert.Contains(tags, t => t.Kind == FlvTagKind.VideoSequenceHeader);
            Assert.Contains(tags, t => t.Kind == FlvTagKind.AudioSequenceHeader);
            Assert.True(tags.First(t => t.IsVideo && !t.IsSequenceHeader).IsKeyframe, "HTTP-FLV starts at a keyframe");
            var status = host.Channels.GetStatus("demo")!;
            Assert.Equal("h264", status.VideoCodec);
            Assert.Equal("aac", status.AudioCodec);
            Assert.Equal(640, status.Width);
            Assert.True(await publisher.WaitForExitAsync(TimeSpan.FromSeconds(15)), "publisher finished");
            Assert.True(publisher.ExitCode == 0, publisher.Stderr);
        }

        await host.WaitForLiveAsync("demo", live: false, TimeSpan.FromSeconds(5));
        Assert.Contains(host.Logs.Lines, l => l.Contains("Channel demo is offline: publisher closed the SRT connection", StringComparison.Ordinal));

        // The access-control form, with OBS's bandwidth-test suffix: a rehearsal of itself, as over RTMP.
        using (var publisher = FfmpegPublisher.Start(host.SrtUrl(IngestTestHost.OtherKey, $"#!::r=live/{IngestTestHost.OtherKey},m=publish"), seconds: 2, format: "mpegts"))
        {
            await host.WaitForLiveAsync("other", live: true, TimeSpan.FromSeconds(10));
            await host.AssertKeyframeArrivesAsync("other", "media flows with the #!:: form");
            Assert.True(await publisher.WaitForExitAsync(TimeSpan.FromSeconds(15)), "publisher finished");
        }

        await host.WaitForLiveAsync("other", live: false, TimeSpan.FromSeconds(5));
        Assert.Equal(["live:demo", "offline:demo", "live:other", "offline:other"], host.Events.All);
        Assert.Equal(2, host.Processes.StartedCount);
        await host.AssertNoFfmpegLeftAsync();
        host.AssertLogsClean();
    }

    [Fact]
    public async Task Wrong_key_malformed_streamid_and_wrong_app_are_refused_in_the_handshake_with_no_ffmpeg()
    {
        await using var host = await IngestTestHost.StartAsync(IngestTestHost.WithSrt());
        var before = IngestMetrics.Rejected.WithLabels("bad_key").Value;
        (string StreamId, string Reason)[] cases =
        [
            ("publish:live/WRONG-KEY", "bad_key"),
            ("live/" + IngestTestHost.DemoKey, "protocol_error"),
            ($"#!::r=live/{IngestTestHost.DemoKey},m=request", "protocol_error"),
            ($"publish:other/{IngestTestHost.DemoKey}", "wrong_app"),
            ("publish:live/", "missing_key"),
        ];
        foreach (var (streamId, reason) in cases)
        {
            var refusals = host.Logs.Lines.Count(l => l.Contains($"Refused SRT publish from 127.0.0.1:", StringComparison.Ordinal) && l.Contains($": {reason} {{", StringComparison.Ordinal));
            using var publisher = FfmpegPublisher.Start(host.SrtUrl("", streamId), seconds: 5, format: "mpegts");
            Assert.True(await publisher.WaitForExitAsync(TimeSpan.FromSeconds(10)), $"{streamId}: the publisher gave up");
            Assert.NotEqual(0, publisher.ExitCode);
            Assert.Contains("reject", publisher.Stderr, StringComparison.OrdinalIgnoreCase);
            Assert.Equal(refusals + 1, host.Logs.Lines.Count(l => l.Contains($"Refused SRT publish from 127.0.0.1:", StringComparison.Ordinal) && l.Contains($": {reason} {{", StringComparison.Ordinal)));
        }

        Assert.Equal(before + 1, IngestMetrics.Rejected.WithLabels("bad_key").Value);
        Assert.Equal(0, host.Processes.StartedCount);
        Assert.Empty(host.Events.All);
        host.AssertLogsClean();
    }

    [Fact]
    public async Task Bytes_that_are_not_MPEG_TS_end_the_publish_with_a_reason()
    {
        await using var host = await IngestTestHost.StartAsync(IngestTestHost.WithSrt());
        using var publisher = FfmpegPublisher.Start(host.SrtUrl(IngestTestHost.DemoKey), seconds: 20, format: "rawvideo");
        await host.WaitForLiveAsync("demo", live: true, TimeSpan.FromSeconds(10));
        await host.WaitForLiveAsync("demo", live: false, TimeSpan.FromSeconds(5));
        Assert.Contains(host.Logs.Lines, l => l.Contains("Channel demo is offline: the publisher sent bytes that are not MPEG-TS", StringComparison.Ordinal));
        await host.AssertNoFfmpegLeftAsync();
    }

    [Fact]
    public async Task Two_percent_loss_at_50_ms_RTT_loses_no_frame_at_the_default_latency()
    {
        var (frames, dropped, proxy) = await PublishThroughLossAsync(loss: 0.02);
        TestContext.Current.TestOutputHelper?.WriteLine($"2 %: {frames}/{WindowFrames} frames, {dropped} SRT packets dropped; proxy {proxy}");
        Assert.Equal(WindowFrames, frames);
        Assert.Equal(0, dropped);
    }

    [Fact]
    public async Task Heavy_loss_at_50_ms_RTT_does_lose_frames()
    {
        // The same measurement at a loss the default latency cannot absorb: it shows the numbers above can fail. A
        // packet given up inside a frame leaves a damaged frame, not a missing one (the demuxer still emits it), so the
        // frame count may stay whole: SRT's dropped count is what tells lost media.
        var (frames, dropped, proxy) = await PublishThroughLossAsync(loss: 0.25);
        TestContext.Current.TestOutputHelper?.WriteLine($"25 %: {frames}/{WindowFrames} frames, {dropped} SRT packets dropped; proxy {proxy}");
        Assert.True(dropped > 0, $"{dropped} SRT packets dropped");
    }

    /// <summary>Frames of the counted window: the first 8 s of a 10 s clip.</summary>
    private const int WindowFrames = 8 * Fps;

    /// <summary>
    /// Publishes a 10 s clip through the lossy link and counts the distinct video frames a viewer gets in its first 8 s
    /// of media time. The window ends before the publisher does: ffmpeg closes its SRT socket without lingering (live
    /// mode), so what it still held at its end is the caller's to lose, not the link's.
    /// </summary>
    private static async Task<(int Frames, long Dropped, string Proxy)> PublishThroughLossAsync(double loss)
    {
        await using var host = await IngestTestHost.StartAsync(IngestTestHost.WithSrt());
        await using var proxy = new LossyUdpProxy(host.Srt.EndPoint!, loss, TimeSpan.FromMilliseconds(25), seed: 17);
        using var http = new HttpClient();
        using var publisher = FfmpegPublisher.Start(IngestTestHost.SrtUrl(proxy.Port, "publish:live/" + IngestTestHost.DemoKey), seconds: 10, format: "mpegts");
        await host.WaitForLiveAsync("demo", live: true, TimeSpan.FromSeconds(15));
        // Joined at once: the GOP cache (2 s) holds every frame since the first keyframe, so the viewer sees them all.
        var viewer = await FlvHttpReader.ReadAsync(http, host.FlvUrl("demo"), TimeSpan.FromSeconds(20), Ct);
        Assert.True(await publisher.WaitForExitAsync(TimeSpan.FromSeconds(10)), "publisher finished");
        await host.WaitForLiveAsync("demo", live: false, TimeSpan.FromSeconds(10));
        var video = viewer.Tags.Where(t => t.Tag.IsVideo && !t.Tag.IsSequenceHeader).Select(t => t.Tag.Timestamp).ToList();
        Assert.NotEmpty(video);
        var first = video[0];
        var frames = video.Where(t => t - first < WindowFrames * 1000 / Fps).Distinct().Count();
        TestContext.Current.TestOutputHelper?.WriteLine($"{video.Count} video frames in all, the first at {first} ms, the last at {video[^1]} ms");
        var stats = host.Logs.Lines.Single(l => l.Contains("Channel demo: SRT link:", StringComparison.Ordinal));
        TestContext.Current.TestOutputHelper?.WriteLine(stats);
        var dropped = long.Parse(System.Text.RegularExpressions.Regex.Match(stats, @"(\d+) dropped").Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture);
        return (frames, dropped, proxy.ToString());
    }
}
