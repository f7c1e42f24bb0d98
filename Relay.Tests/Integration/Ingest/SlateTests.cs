using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Text.Json;
using Relay.Tests.Common;
using Relay.Tests.Common.Hosts;
using Relay.Tests.Common.Media;
using Relay.Tests.Common.Peers;

namespace Relay.Tests.Integration.Ingest;

/// <summary>
/// Issue 17 item 1, end to end: ffmpeg publishes to a real Relay whose channel pushes to nginx-rtmp, an ffmpeg player
/// records what nginx relays, and an HTTP-FLV viewer watches Relay. The publisher is killed (its TCP connection closes)
/// or frozen (SIGSTOP: connected and silent); the slate covers the gap, the publisher returning switches back, and all
/// along the push keeps its one connection, the viewer stays connected, no timestamp goes backwards, and the sink's
/// recording decodes end to end.
/// </summary>
[Collection(RealFfmpegCollection.Name)]
public sealed class SlateTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task A_killed_publisher_is_covered_by_the_slate_its_return_switches_back_and_a_second_drop_times_out()
    {
        FfmpegAvailability.SkipIfMissing();
        await using var nginx = await NginxPeer.StartAsync();
        await using var server = await RelayTestServer.StartAsync($"--{TestHost.SlateSecondsKey}=6", "--Relay:Hls:Enabled=false", "--Relay:Recording:Enabled=false");
        using var admin = server.AdminClient();
        var (id, key) = await CreateChannelWithSinkAsync(admin, "slate-kill", nginx.RtmpPort, "slate-kill-push");
        var clock = Stopwatch.StartNew();
        var ingest = $"rtmp://127.0.0.1:{server.RtmpPort}/live/{key}";

        var first = FfmpegPublisher.Start(ingest, seconds: 60);
        try
        {
            await WaitForDestinationAsync(admin, id, "live");
            await Eventually.TrueAsync(() => Task.FromResult(server.Logs.All.Contains($"Slate for channel {id} ready", StringComparison.Ordinal)), "the slate encoded at go-live", TimeSpan.FromSeconds(20), Ct);

            await using var player = FfmpegPeers.StartPlayer($"rtmp://127.0.0.1:{nginx.RtmpPort}/live/slate-kill-push");
            var recording = Path.GetTempFileName();
            await using var sink = FfmpegPeers.Record(player, clock, recording);
            await sink.WaitForAsync(t => t.Type == 9 && t.Keyframe, TimeSpan.FromSeconds(10));
            using var viewerHttp = server.Client();
            var viewer = FlvHttpReader.ReadAsync(viewerHttp, new Uri(server.BaseAddress, $"/live/{id}.flv"), TimeSpan.FromSeconds(11), Ct, clock);
            await using var sockets = SocketSampler.Start(nginx.RtmpPort);
            await Task.Delay(1500, Ct);

            var killedAt = clock.Elapsed.TotalMilliseconds;
            first.Dispose();
            await WaitForOnAirAsync(admin, id, "slate");
            var slateSeenAt = clock.Elapsed.TotalMilliseconds;
            Assert.Equal(1, await MetricAsync(server, "relay_ingest_slate_active", $"channel=\"{id}\""));
            Assert.Equal(1, await MetricAsync(server, "relay_ingest_failovers_total", $"channel=\"{id}\",to=\"slate\""));
            await Task.Delay(2500, Ct);

            var returnedAt = clock.Elapsed.TotalMilliseconds;
            using var second = FfmpegPublisher.Start(ingest, seconds: 60);
            await WaitForOnAirAsync(admin, id, "primary");
            var backAt = clock.Elapsed.TotalMilliseconds;
            Assert.Equal(0, await MetricAsync(server, "relay_ingest_slate_active", $"channel=\"{id}\""));
            Assert.Equal(1, await MetricAsync(server, "relay_ingest_failovers_total", $"channel=\"{id}\",to=\"primary\""));
            await Task.Delay(2500, Ct);

            var watched = await viewer;
            var sampled = await sockets.StopAsync();
            var tags = sink.Tags;
            TestContext.Current.SendDiagnosticMessage(
                $"slate on air {slateSeenAt - killedAt:0} ms after the kill (API poll); back on the publisher {backAt - returnedAt:0} ms after it started; "
                + $"largest gap at the sink around the kill {LargestVideoGap(tags, killedAt - 500, killedAt + 1500):0} ms, around the return {LargestVideoGap(tags, returnedAt, backAt + 1000):0} ms; "
                + $"push sockets sampled {sampled.Samples} times, {sampled.Min}-{sampled.Max}");

            // One push connection throughout, and the supervisor never reconnected.
            Assert.Equal((1, 1), (sampled.Min, sampled.Max));
            Assert.Equal(0, (await DestinationAsync(admin, id)).GetProperty("reconnects").GetInt32());

            // The sink received the slate between the kill and the return, and the publisher's picture after it.
            Assert.True(tags.Count(t => t.Type == 9 && t.ArrivalMs > killedAt + 500 && t.ArrivalMs < returnedAt) >= 30, "the sink got no slate frames during the gap");
            Assert.Contains(tags, t => t.Type == 9 && t.Keyframe && t.ArrivalMs > backAt);
            Assert.True(LargestVideoGap(tags, killedAt - 500, backAt + 2000) < 1000, "the sink's picture stopped at a switch");
            AssertNeverBackwards(tags.Select(t => (t.Type, t.Timestamp, t.SequenceHeader)), "the sink");

            // The HTTP-FLV viewer stayed on one connection through both switches.
            Assert.Contains(watched.Tags, t => t.Tag.IsKeyframe && t.At.TotalMilliseconds > backAt);
            AssertNeverBackwards(watched.Tags.Select(t => ((byte)t.Tag.Type, t.Tag.Timestamp, t.Tag.IsSequenceHeader)), "the HTTP-FLV viewer");

            await sink.DisposeAsync();
            await AssertDecodesAsync(recording);
            File.Delete(recording);

            // A second drop nobody returns from: the slate holds for its 6 s, then the channel ends as dropped.
            var droppedAt = clock.Elapsed;
            second.Dispose();
            await WaitForOnAirAsync(admin, id, "slate");
            await Eventually.TrueAsync(async () => await MetricAsync(server, "relay_ingest_end_total", $"channel=\"{id}\",reason=\"dropped\"") == 1,
                "the channel to end when the slate ran out", TimeSpan.FromSeconds(15), Ct);
            var heldFor = clock.Elapsed - droppedAt;
            Assert.InRange(heldFor.TotalSeconds, 5.5, 9);
            Assert.Equal(0, await MetricAsync(server, "relay_ingest_slate_active", $"channel=\"{id}\""));
            Assert.Equal(0, await MetricAsync(server, "relay_ingest_end_total", $"channel=\"{id}\",reason=\"unpublish\""));
            await WaitForDestinationAsync(admin, id, "idle");
        }
        finally
        {
            first.Dispose();
        }
    }

    [Fact]
    public async Task A_frozen_publisher_is_replaced_by_the_slate_within_a_second_resumes_on_its_own_connection_and_a_clean_unpublish_ends_at_once()
    {
        FfmpegAvailability.SkipIfMissing();
        await using var nginx = await NginxPeer.StartAsync();
        await using var server = await RelayTestServer.StartAsync($"--{TestHost.SlateSecondsKey}=30", "--Relay:Hls:Enabled=false", "--Relay:Recording:Enabled=false");
        using var admin = server.AdminClient();
        var (id, key) = await CreateChannelWithSinkAsync(admin, "slate-freeze", nginx.RtmpPort, "slate-freeze-push");
        var clock = Stopwatch.StartNew();

        // 14 s of input: frozen for ~2 s in the middle, then it ends its input and unpublishes cleanly.
        using var publisher = FfmpegPublisher.Start($"rtmp://127.0.0.1:{server.RtmpPort}/live/{key}", seconds: 14);
        await WaitForDestinationAsync(admin, id, "live");
        await Eventually.TrueAsync(() => Task.FromResult(server.Logs.All.Contains($"Slate for channel {id} ready", StringComparison.Ordinal)), "the slate encoded at go-live", TimeSpan.FromSeconds(20), Ct);
        await using var player = FfmpegPeers.StartPlayer($"rtmp://127.0.0.1:{nginx.RtmpPort}/live/slate-freeze-push");
        var recording = Path.GetTempFileName();
        await using var sink = FfmpegPeers.Record(player, clock, recording);
        await sink.WaitForAsync(t => t.Type == 9 && t.Keyframe, TimeSpan.FromSeconds(10));
        await using var sockets = SocketSampler.Start(nginx.RtmpPort);
        await Task.Delay(1000, Ct);

        var frozenAt = clock.Elapsed.TotalMilliseconds;
        await Tools.RunAsync("kill", "-STOP", publisher.Pid.ToString(CultureInfo.InvariantCulture));
        try
        {
            await WaitForOnAirAsync(admin, id, "slate");
            await Task.Delay(1500, Ct);
        }
        finally
        {
            await Tools.RunAsync("kill", "-CONT", publisher.Pid.ToString(CultureInfo.InvariantCulture));
        }

        var resumedAt = clock.Elapsed.TotalMilliseconds;
        await WaitForOnAirAsync(admin, id, "primary");
        var backAt = clock.Elapsed.TotalMilliseconds;
        Assert.Equal(1, await MetricAsync(server, "relay_ingest_failovers_total", $"channel=\"{id}\",to=\"slate\""));
        Assert.Equal(1, await MetricAsync(server, "relay_ingest_failovers_total", $"channel=\"{id}\",to=\"primary\""));

        // Detection: the last publisher frame to arrive before the freeze, then the slate's first: at most the silence
        // limit (0.5 s) plus the watchdog's period (0.25 s) plus the trip through nginx and the player.
        var tags = sink.Tags;
        var lastBefore = tags.Where(t => t.Type == 9 && t.ArrivalMs < frozenAt + 400).Max(t => t.ArrivalMs);
        var gap = LargestVideoGap(tags, frozenAt - 200, frozenAt + 1500);
        TestContext.Current.SendDiagnosticMessage($"frozen at {frozenAt:0} ms, last frame at the sink {lastBefore:0} ms, largest picture gap at the sink {gap:0} ms; back on the publisher {backAt - resumedAt:0} ms after SIGCONT");
        Assert.True(gap <= 1000, $"the slate came {gap:0} ms after the publisher's last frame (detection must be within 1 s)");

        await Task.Delay(1000, Ct);
        var sampled = await sockets.StopAsync();
        Assert.Equal((1, 1), (sampled.Min, sampled.Max));
        Assert.True(await publisher.WaitForExitAsync(TimeSpan.FromSeconds(30)), "the 14 s publisher did not end");
        await Eventually.TrueAsync(async () => await MetricAsync(server, "relay_ingest_end_total", $"channel=\"{id}\",reason=\"unpublish\"") == 1,
            "the clean unpublish to end the channel", TimeSpan.FromSeconds(5), Ct);
        Assert.Equal(1, await MetricAsync(server, "relay_ingest_failovers_total", $"channel=\"{id}\",to=\"slate\""));
        Assert.Equal(0, await MetricAsync(server, "relay_ingest_slate_active", $"channel=\"{id}\""));

        Assert.Equal(0, (await DestinationAsync(admin, id)).GetProperty("reconnects").GetInt32());
        AssertNeverBackwards(sink.Tags.Select(t => (t.Type, t.Timestamp, t.SequenceHeader)), "the sink");
        await sink.DisposeAsync();
        await AssertDecodesAsync(recording);
        File.Delete(recording);
    }

    internal static async Task<(string Id, string StreamKey)> CreateChannelWithSinkAsync(HttpClient admin, string id, int sinkPort, string sinkKey)
    {
        using var created = await admin.PostAsync("/api/v1/channels", RelayServerTest.JsonBody($$"""{"id":"{{id}}","title":"Slate {{id}}"}"""), Ct);
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var body = JsonDocument.Parse(await created.Content.ReadAsStringAsync(Ct)).RootElement;
        using var sink = await admin.PostAsync($"/api/v1/channels/{id}/destinations", RelayServerTest.JsonBody(
            $$"""{"id":"sink","name":"nginx sink","platform":"custom","url":"rtmp://127.0.0.1:{{sinkPort}}/live","streamKey":"{{sinkKey}}"}"""), Ct);
        Assert.Equal(HttpStatusCode.Created, sink.StatusCode);
        return (id, body.GetProperty("streamKey").GetString()!);
    }

    internal static async Task<JsonElement> DestinationAsync(HttpClient admin, string id) =>
        JsonDocument.Parse(await admin.GetStringAsync($"/api/v1/channels/{id}/destinations", Ct)).RootElement.EnumerateArray().Single().Clone();

    internal static Task WaitForDestinationAsync(HttpClient admin, string id, string state) =>
        Eventually.TrueAsync(async () => (await DestinationAsync(admin, id)).GetProperty("state").GetString() == state, $"destination {state}", TimeSpan.FromSeconds(20), Ct);

    /// <summary>Polls the channel API until its ingest says <paramref name="onAir"/> is on air.</summary>
    internal static Task WaitForOnAirAsync(HttpClient admin, string id, string onAir) =>
        Eventually.TrueAsync(async () =>
        {
            var channel = JsonDocument.Parse(await admin.GetStringAsync($"/api/v1/channels/{id}", Ct)).RootElement;
            return channel.TryGetProperty("ingest", out var ingest) && ingest.ValueKind == JsonValueKind.Object
                && ingest.TryGetProperty("onAir", out var value) && value.GetString() == onAir;
        }, $"{onAir} on air", TimeSpan.FromSeconds(15), Ct);

    internal static async Task<double> MetricAsync(RelayTestServer server, string name, string labels)
    {
        using var client = server.Client();
        var text = await client.GetStringAsync("/metrics", Ct);
        var prefix = $"{name}{{{labels}}} ";
        var line = text.Split('\n').FirstOrDefault(l => l.StartsWith(prefix, StringComparison.Ordinal));
        return line is null ? 0 : double.Parse(line[prefix.Length..], CultureInfo.InvariantCulture);
    }

    /// <summary>The longest wait between two video tags arriving at the sink within the window.</summary>
    internal static double LargestVideoGap(IReadOnlyList<ReceivedTag> tags, double fromMs, double toMs)
    {
        var arrivals = tags.Where(t => t.Type == 9 && t.ArrivalMs >= fromMs && t.ArrivalMs <= toMs).Select(t => t.ArrivalMs).ToList();
        return arrivals.Count < 2 ? double.PositiveInfinity : arrivals.Zip(arrivals.Skip(1), (a, b) => b - a).Max();
    }

    /// <summary>Per track, no media timestamp is lower than the one before it.</summary>
    internal static void AssertNeverBackwards(IEnumerable<(byte Type, uint Timestamp, bool SequenceHeader)> tags, string where)
    {
        var last = new Dictionary<byte, uint>();
        var media = 0;
        foreach (var (type, timestamp, _) in tags)
        {
            if (type is not (8 or 9))
            {
                continue;
            }

            media++;
            if (last.TryGetValue(type, out var previous))
            {
                Assert.True(timestamp >= previous, $"{where}: {(type == 9 ? "video" : "audio")} went back from {previous} to {timestamp} ms");
            }

            last[type] = timestamp;
        }

        Assert.True(media > 100, $"{where}: only {media} media tags");
    }

    /// <summary>ffprobe decodes every video frame of the recording without an error (stderr at level error stays empty).</summary>
    internal static async Task AssertDecodesAsync(string recording)
    {
        var info = new ProcessStartInfo("ffprobe") { RedirectStandardError = true, RedirectStandardOutput = true, UseShellExecute = false };
        foreach (var argument in (string[])["-v", "error", "-count_frames", "-show_entries", "stream=codec_type,nb_read_frames", "-of", "csv=p=0", recording])
        {
            info.ArgumentList.Add(argument);
        }

        using var process = Process.Start(info)!;
        var output = process.StandardOutput.ReadToEndAsync(Ct);
        var errors = process.StandardError.ReadToEndAsync(Ct);
        await process.WaitForExitAsync(Ct);
        var text = (await errors).Trim();
        Assert.True(process.ExitCode == 0 && text.Length == 0, $"the recording does not decode cleanly (exit {process.ExitCode}): {text}");
        var video = (await output).Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Single(l => l.StartsWith("video,", StringComparison.Ordinal));
        Assert.True(int.Parse(video["video,".Length..], CultureInfo.InvariantCulture) > 100, $"ffprobe decoded {video}");
    }
}
