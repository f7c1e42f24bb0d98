using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.Extensions.DependencyInjection;
using Relay.Ingest.Consumers.Hls;
using Relay.Ingest.Diagnostics;
using Relay.Tests.Common.Hosts;
using Relay.Tests.Common.Media;

namespace Relay.Tests.Integration.Hls;

/// <summary>HLS from a real ffmpeg publish through the ingest, packaged by a real ffmpeg, probed by ffprobe.</summary>
[Collection(RealFfmpegCollection.Name)]
public sealed partial class HlsPlaybackTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Live_channel_plays_as_hls_and_everything_is_removed_when_the_publisher_stops()
    {
        await using var host = await IngestTestHost.StartAsync(PlaybackSettings.AllOn());
        var hls = host.Services.GetRequiredService<HlsService>();
        using var http = new HttpClient { BaseAddress = host.HttpBase, Timeout = TimeSpan.FromSeconds(30) };
        var playlistUrl = new Uri(host.HttpBase, "/live/demo/index.m3u8");
        var hlsProcessesBefore = IngestMetrics.FfmpegProcesses.WithLabels(HlsPackager.Role).Value;

        using (var publisher = FfmpegPublisher.Start(host.RtmpUrl(IngestTestHost.DemoKey), seconds: 40))
        {
            await host.WaitForLiveAsync("demo", live: true, TimeSpan.FromSeconds(15));
            var live = Stopwatch.StartNew();

            // The first request waits for the first segment instead of failing.
            using var first = await http.GetAsync(playlistUrl, Ct);
            var firstPlaylistSeconds = live.Elapsed.TotalSeconds;
            Assert.Equal(HttpStatusCode.OK, first.StatusCode);
            Assert.Equal(HlsEndpoints.PlaylistContentType, first.Content.Headers.ContentType?.MediaType);
            Assert.Contains("no-cache", first.Headers.CacheControl?.ToString());
            var playlist = await first.Content.ReadAsStringAsync(Ct);
            Assert.StartsWith("#EXTM3U", playlist);
            Assert.DoesNotContain("#EXT-X-ENDLIST", playlist);
            Assert.Equal(1, IngestMetrics.FfmpegProcesses.WithLabels(HlsPackager.Role).Value - hlsProcessesBefore);

            var probe = await Ffprobe.ProbeAsync(playlistUrl.ToString(), Ct);
            Assert.Contains("h264", Ffprobe.Codecs(probe));
            Assert.Contains("aac", Ffprobe.Codecs(probe));

            var segment = Segments(playlist)[0];
            using (var segmentResponse = await http.GetAsync($"/live/demo/{segment}", Ct))
            {
                Assert.Equal(HttpStatusCode.OK, segmentResponse.StatusCode);
                Assert.Equal(HlsEndpoints.SegmentContentType, segmentResponse.Content.Headers.ContentType?.MediaType);
                var bytes = await segmentResponse.Content.ReadAsByteArrayAsync(Ct);
                Assert.True(bytes.Length > 188 && bytes[0] == 0x47 && bytes[188] == 0x47, "an MPEG-TS segment starts with sync bytes every 188 bytes");
            }

            // The playlist slides: watch it for a few segments and measure how far behind the live edge it is.
            var sequence = MediaSequence(playlist);
            var cpuBefore = CpuSeconds(hls.PackagerPid("demo")!.Value);
            var cpuClock = Stopwatch.StartNew();
            var updates = new List<(double At, long Sequence, int Segments, double MediaSeconds)>();
            var advanced = false;
            while (live.Elapsed < TimeSpan.FromSeconds(24))
            {
                var text = await http.GetStringAsync(playlistUrl, Ct);
                var current = MediaSequence(text);
                var media = Durations(text).Sum();
                if (updates.Count == 0 || updates[^1].Sequence != current || updates[^1].Segments != Segments(text).Count)
                {
                    updates.Add((live.Elapsed.TotalSeconds, current, Segments(text).Count, media));
                }

                advanced |= current > sequence;
                await Task.Delay(50, Ct);
            }

            Assert.True(advanced, $"media sequence stayed at {sequence}");
            var cpu = (CpuSeconds(hls.PackagerPid("demo")!.Value) - cpuBefore) / cpuClock.Elapsed.TotalSeconds;
            var output = TestContext.Current.TestOutputHelper;
            output?.WriteLine($"first playlist {firstPlaylistSeconds:0.00} s after live; packager CPU {cpu * 100:0.0} % of a core");
            output?.WriteLine($"segment durations: {string.Join(", ", Durations(playlist).Select(d => d.ToString("0.00", CultureInfo.InvariantCulture)))}");
            foreach (var (at, seq, count, media) in updates)
            {
                output?.WriteLine($"  t={at:0.00}s seq={seq} segments={count} listed media={media:0.00}s");
            }

            // Names are validated before any path is built.
            foreach (var bad in (string[])["..%2F..%2F..%2Fetc%2Fpasswd", "..%2Findex.m3u8", "seg-1.ts.tmp", "index.m3u8.tmp", "seg-.ts", "SEG-1.ts", "seg-1.ts%00.m3u8", "run"])
            {
                using var response = await http.GetAsync($"/live/demo/{bad}", Ct);
                Assert.True(response.StatusCode is HttpStatusCode.BadRequest or HttpStatusCode.NotFound, $"{bad}: {response.StatusCode}");
            }

            using (var missing = await http.GetAsync("/live/demo/seg-12345.ts", Ct))
            {
                Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
            }

            using (var traversal = await http.GetAsync("/live/..%2F..%2Ftmp/index.m3u8", Ct))
            {
                Assert.Equal(HttpStatusCode.NotFound, traversal.StatusCode);
            }

            Assert.True(Directory.Exists(hls.DirectoryOf("demo")));
        }

        await host.WaitForLiveAsync("demo", live: false, TimeSpan.FromSeconds(10));
        using (var offline = await http.GetAsync(playlistUrl, Ct))
        {
            Assert.Equal(HttpStatusCode.NotFound, offline.StatusCode);
            Assert.Equal("application/problem+json", offline.Content.Headers.ContentType?.MediaType);
            Assert.Equal("channel is offline", JsonDocument.Parse(await offline.Content.ReadAsStringAsync(Ct)).RootElement.GetProperty("title").GetString());
        }

        await WaitUntilAsync(() => !Directory.Exists(hls.DirectoryOf("demo")) && !hls.IsPackaging("demo"), TimeSpan.FromSeconds(10), "HLS folder removed");
        Assert.Equal(hlsProcessesBefore, IngestMetrics.FfmpegProcesses.WithLabels(HlsPackager.Role).Value);
        await host.AssertNoFfmpegLeftAsync();
        host.AssertLogsClean();
    }

    [Fact]
    public async Task Killed_packager_is_restarted_and_the_playlist_comes_back()
    {
        await using var host = await IngestTestHost.StartAsync(PlaybackSettings.AllOn());
        var hls = host.Services.GetRequiredService<HlsService>();
        using var http = new HttpClient { BaseAddress = host.HttpBase, Timeout = TimeSpan.FromSeconds(30) };
        using var publisher = FfmpegPublisher.Start(host.RtmpUrl(IngestTestHost.DemoKey), seconds: 40);
        await host.WaitForLiveAsync("demo", live: true, TimeSpan.FromSeconds(15));
        var before = MediaSequence(await http.GetStringAsync("/live/demo/index.m3u8", Ct));
        var killedBefore = IngestMetrics.FfmpegExits.WithLabels(HlsPackager.Role, "killed").Value;
        var pid = hls.PackagerPid("demo")!.Value;

        using (var packager = Process.GetProcessById(pid))
        {
            packager.Kill(); // SIGKILL
        }

        var restartClock = Stopwatch.StartNew();
        await WaitUntilAsync(() => hls.PackagerPid("demo") is { } p && p != pid, TimeSpan.FromSeconds(10), "packager restarted");
        Assert.Equal(1, hls.PackagerRestarts("demo"));
        Assert.Equal(killedBefore + 1, IngestMetrics.FfmpegExits.WithLabels(HlsPackager.Role, "killed").Value);
        Assert.Contains(host.Logs.Lines, l => l.StartsWith("Warning", StringComparison.Ordinal) && l.Contains("HLS packager of channel demo exited while live", StringComparison.Ordinal));

        using var again = await http.GetAsync("/live/demo/index.m3u8", Ct);
        Assert.Equal(HttpStatusCode.OK, again.StatusCode);
        var playlist = await again.Content.ReadAsStringAsync(Ct);
        TestContext.Current.TestOutputHelper?.WriteLine($"playlist back {restartClock.Elapsed.TotalSeconds:0.00} s after the kill");
        Assert.True(MediaSequence(playlist) > before, "the restarted packager numbers its segments above the old ones");
        using (var segment = await http.GetAsync($"/live/demo/{Segments(playlist)[^1]}", Ct))
        {
            Assert.Equal(HttpStatusCode.OK, segment.StatusCode);
        }

        var probe = await Ffprobe.ProbeAsync(new Uri(host.HttpBase, "/live/demo/index.m3u8").ToString(), Ct);
        Assert.Contains("h264", Ffprobe.Codecs(probe));

        publisher.Dispose();
        await host.WaitForLiveAsync("demo", live: false, TimeSpan.FromSeconds(10));
        await WaitUntilAsync(() => !Directory.Exists(hls.DirectoryOf("demo")), TimeSpan.FromSeconds(10), "HLS folder removed");
        await host.AssertNoFfmpegLeftAsync();
    }

    [Fact]
    public async Task Offline_channel_is_a_404_problem_and_disabled_hls_starts_no_packager()
    {
        await using var host = await IngestTestHost.StartAsync(PlaybackSettings.AllOn(hls: false));
        using var http = new HttpClient { BaseAddress = host.HttpBase };
        using (var offline = await http.GetAsync("/live/nobody/index.m3u8", Ct))
        {
            Assert.Equal(HttpStatusCode.NotFound, offline.StatusCode);
            Assert.Equal("application/problem+json", offline.Content.Headers.ContentType?.MediaType);
            Assert.Contains("offline", await offline.Content.ReadAsStringAsync(Ct));
        }

        using var publisher = FfmpegPublisher.Start(host.RtmpUrl(IngestTestHost.DemoKey), seconds: 20);
        await host.WaitForLiveAsync("demo", live: true, TimeSpan.FromSeconds(15));
        using (var disabled = await http.GetAsync("/live/demo/index.m3u8", Ct))
        {
            Assert.Equal(HttpStatusCode.NotFound, disabled.StatusCode);
            Assert.Contains("HLS is disabled", await disabled.Content.ReadAsStringAsync(Ct));
        }

        Assert.DoesNotContain(host.Processes.Running, p => p.Role == HlsPackager.Role);
        Assert.False(Directory.Exists(host.Services.GetRequiredService<HlsService>().DirectoryOf("demo")));
    }

    internal static async Task WaitUntilAsync(Func<bool> condition, TimeSpan timeout, string what)
    {
        var until = DateTime.UtcNow + timeout;
        while (!condition())
        {
            if (DateTime.UtcNow > until)
            {
                Assert.Fail($"timed out waiting for: {what}");
            }

            await Task.Delay(50, Ct);
        }
    }

    private static long MediaSequence(string playlist) =>
        long.Parse(MediaSequenceLine().Match(playlist).Groups[1].Value, CultureInfo.InvariantCulture);

    private static List<string> Segments(string playlist) =>
        [.. playlist.Split('\n').Select(l => l.Trim()).Where(l => l.Length > 0 && !l.StartsWith('#'))];

    private static List<double> Durations(string playlist) =>
        [.. ExtInf().Matches(playlist).Select(m => double.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture))];

    /// <summary>utime + stime of a process from /proc (clock ticks of 10 ms).</summary>
    private static double CpuSeconds(int pid)
    {
        var stat = File.ReadAllText($"/proc/{pid}/stat");
        var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
        return (long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture)) / 100.0;
    }

    [GeneratedRegex(@"#EXT-X-MEDIA-SEQUENCE:(\d+)")]
    private static partial Regex MediaSequenceLine();

    [GeneratedRegex(@"#EXTINF:([0-9.]+),")]
    private static partial Regex ExtInf();
}
