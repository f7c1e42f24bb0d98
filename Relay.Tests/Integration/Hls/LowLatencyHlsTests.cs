using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Text.RegularExpressions;
using Relay.Ingest.Consumers.Hls;
using Relay.Tests.Common;
using Relay.Tests.Common.Hosts;
using Relay.Tests.Common.Media;

namespace Relay.Tests.Integration.Hls;

/// <summary>
/// Low-latency HLS from a real ffmpeg publish, muxed in-process: the playlist's parts and hints, blocking reload, a
/// hinted part held until it exists, and segments that ffmpeg decodes (init + segment, and init + the segment's parts).
/// </summary>
[Collection(RealFfmpegCollection.Name)]
public sealed partial class LowLatencyHlsTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task A_live_channel_plays_as_low_latency_hls_with_parts_blocking_reload_and_decodable_segments()
    {
        FfmpegAvailability.SkipIfMissing();
        await using var host = await IngestTestHost.StartAsync(PlaybackSettings.AllOn(recording: false));
        using var http = new HttpClient { BaseAddress = host.HttpBase, Timeout = TimeSpan.FromSeconds(30) };
        using var temp = new TempDir();
        var output = TestContext.Current.TestOutputHelper;

        using (var publisher = FfmpegPublisher.Start(host.RtmpUrl(IngestTestHost.DemoKey), seconds: 30))
        {
            await host.WaitForLiveAsync("demo", live: true, TimeSpan.FromSeconds(15));

            // The first request waits for the first part instead of failing.
            using var first = await http.GetAsync("/live/demo/ll/index.m3u8", Ct);
            Assert.Equal(HttpStatusCode.OK, first.StatusCode);
            Assert.Equal(HlsEndpoints.PlaylistContentType, first.Content.Headers.ContentType?.MediaType);
            Assert.Equal("*", first.Headers.GetValues("Access-Control-Allow-Origin").Single());
            var playlist = await first.Content.ReadAsStringAsync(Ct);
            Assert.StartsWith("#EXTM3U", playlist);
            Assert.Contains("#EXT-X-SERVER-CONTROL:CAN-BLOCK-RELOAD=YES,PART-HOLD-BACK=0.600", playlist);
            Assert.Contains("#EXT-X-PART-INF:PART-TARGET=0.200", playlist);
            Assert.Contains("#EXT-X-MAP:URI=\"init1.mp4\"", playlist);
            Assert.Matches(PartLine(), playlist);
            Assert.Matches(HintLine(), playlist);

            // Blocking reload: ask for the hinted part; the answer comes when it exists, and lists it.
            var hint = HintLine().Match(playlist);
            var (msn, part) = (long.Parse(hint.Groups[1].Value, CultureInfo.InvariantCulture), int.Parse(hint.Groups[2].Value, CultureInfo.InvariantCulture));
            var blocked = Stopwatch.StartNew();
            var reloaded = await http.GetStringAsync($"/live/demo/ll/index.m3u8?_HLS_msn={msn}&_HLS_part={part}", Ct);
            output?.WriteLine($"blocking reload answered after {blocked.ElapsedMilliseconds} ms");
            Assert.Contains($"part{msn}.{part}.m4s", reloaded.Split("#EXT-X-PRELOAD-HINT")[0]);
            Assert.True(blocked.Elapsed < TimeSpan.FromSeconds(3), $"the blocking reload took {blocked.Elapsed}");

            // The part the playlist hints is held until it is made, then served.
            var next = HintLine().Match(reloaded);
            var hinted = Stopwatch.StartNew();
            using (var partAnswer = await http.GetAsync($"/live/demo/ll/part{next.Groups[1].Value}.{next.Groups[2].Value}.m4s", Ct))
            {
                Assert.Equal(HttpStatusCode.OK, partAnswer.StatusCode);
                Assert.Equal("video/mp4", partAnswer.Content.Headers.ContentType?.MediaType);
                var bytes = await partAnswer.Content.ReadAsByteArrayAsync(Ct);
                Assert.Equal("moof", System.Text.Encoding.ASCII.GetString(bytes, 4, 4));
            }
            output?.WriteLine($"hinted part served after {hinted.ElapsedMilliseconds} ms");

            // Wait for two complete segments, then check one: its parts, their lengths, and that ffmpeg decodes it.
            string text;
            var waited = Stopwatch.StartNew();
            do
            {
                text = await http.GetStringAsync("/live/demo/ll/index.m3u8", Ct);
                await Task.Delay(200, Ct);
            }
            while (SegmentLine().Matches(text).Count < 2 && waited.Elapsed < TimeSpan.FromSeconds(15));
            output?.WriteLine(text);
            var segments = SegmentLine().Matches(text);
            Assert.True(segments.Count >= 2, "two complete segments within 15 s");
            var sequence = long.Parse(segments[^1].Groups[1].Value, CultureInfo.InvariantCulture);
            var extinf = double.Parse(segments[^1].Groups[0].Value.Split(':')[1].Split(',')[0], CultureInfo.InvariantCulture);
            var parts = PartLine().Matches(text).Where(m => m.Groups[2].Value == sequence.ToString(CultureInfo.InvariantCulture)).ToList();
            Assert.True(parts.Count >= 5, $"segment {sequence} ({extinf} s) has {parts.Count} parts");
            var durations = parts.Select(m => double.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture)).ToList();
            Assert.All(durations, d => Assert.InRange(d, 0.01, 0.25));
            Assert.Equal(extinf, durations.Sum(), 2);
            Assert.Contains("INDEPENDENT=YES", parts[0].Value);

            var init = await http.GetByteArrayAsync("/live/demo/ll/init1.mp4", Ct);
            var segment = await http.GetByteArrayAsync($"/live/demo/ll/seg{sequence}.m4s", Ct);
            var joined = new List<byte>();
            foreach (var p in parts) joined.AddRange(await http.GetByteArrayAsync($"/live/demo/ll/part{sequence}.{p.Groups[3].Value}.m4s", Ct));
            Assert.Equal(segment, joined.ToArray());

            var file = Path.Combine(temp.Path, "segment.mp4");
            await File.WriteAllBytesAsync(file, [.. init, .. segment], Ct);
            var (codecs, frames, seconds) = await DecodeAsync(file);
            output?.WriteLine($"segment {sequence}: {codecs}, {frames} video frames, {seconds:0.000} s");
            Assert.Equal("h264,aac", codecs);
            // ffmpeg's test source runs at 30 fps: the segment holds its EXTINF's worth of frames, every one decoded.
            Assert.InRange(frames, (int)(extinf * 30) - 2, (int)(extinf * 30) + 2);

            // Bad requests are answered at once and change nothing.
            Assert.Equal(HttpStatusCode.BadRequest, (await http.GetAsync("/live/demo/ll/index.m3u8?_HLS_msn=abc", Ct)).StatusCode);
            Assert.Equal(HttpStatusCode.BadRequest, (await http.GetAsync("/live/demo/ll/index.m3u8?_HLS_part=1", Ct)).StatusCode);
            Assert.Equal(HttpStatusCode.BadRequest, (await http.GetAsync($"/live/demo/ll/index.m3u8?_HLS_msn={sequence + 50}", Ct)).StatusCode);
            Assert.Equal(HttpStatusCode.BadRequest, (await http.GetAsync("/live/demo/ll/seg.ts", Ct)).StatusCode);
            var far = Stopwatch.StartNew();
            Assert.Equal(HttpStatusCode.NotFound, (await http.GetAsync($"/live/demo/ll/part{sequence + 40}.0.m4s", Ct)).StatusCode);
            Assert.True(far.Elapsed < TimeSpan.FromSeconds(1), "a part that cannot come soon is not waited for");
            Assert.Equal(HttpStatusCode.NotFound, (await http.GetAsync("/live/demo/ll/init9.mp4", Ct)).StatusCode);
        }

        // The publisher has gone: the playlist ends, then the channel is offline.
        await Eventually.TrueAsync(async () =>
        {
            using var answer = await http.GetAsync("/live/demo/ll/index.m3u8", Ct);
            var body = await answer.Content.ReadAsStringAsync(Ct);
            return answer.StatusCode == HttpStatusCode.NotFound || body.Contains("#EXT-X-ENDLIST");
        }, "the playlist ends (or the channel is offline) after the publisher left", TimeSpan.FromSeconds(15), Ct);
    }

    private static async Task<(string Codecs, int Frames, double Seconds)> DecodeAsync(string file)
    {
        var info = new ProcessStartInfo("ffprobe") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var arg in (string[])["-v", "error", "-count_frames", "-show_entries", "stream=codec_name,nb_read_frames:format=duration", "-of", "csv=p=0", file])
            info.ArgumentList.Add(arg);
        using var process = Process.Start(info)!;
        var stdout = await process.StandardOutput.ReadToEndAsync(Ct);
        var stderr = await process.StandardError.ReadToEndAsync(Ct);
        await process.WaitForExitAsync(Ct);
        Assert.True(process.ExitCode == 0 && stderr.Length == 0, $"ffprobe found errors in the segment: {stderr}");
        var lines = stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        var streams = lines.Where(l => l.Contains(',')).Select(l => l.Split(',')).ToList();
        var duration = lines.Where(l => !l.Contains(',')).Select(l => double.Parse(l, CultureInfo.InvariantCulture)).FirstOrDefault();
        var video = streams.First(s => s[0] == "h264");
        return (string.Join(',', streams.Select(s => s[0])), int.Parse(video[1], CultureInfo.InvariantCulture), duration);
    }

    [GeneratedRegex("""#EXT-X-PART:DURATION=([0-9.]+),URI="part(\d+)\.(\d+)\.m4s"[^\n]*""")]
    private static partial Regex PartLine();

    [GeneratedRegex(""""#EXT-X-PRELOAD-HINT:TYPE=PART,URI="part(\d+)\.(\d+)\.m4s"""")]
    private static partial Regex HintLine();

    [GeneratedRegex("""#EXTINF:[0-9.]+,\nseg(\d+)\.m4s""")]
    private static partial Regex SegmentLine();
}
