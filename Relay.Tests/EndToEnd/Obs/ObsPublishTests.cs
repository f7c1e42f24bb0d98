using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Relay.Ingest.Ffmpeg;
using Relay.Ingest.Streams;
using Relay.Tests.Common;
using Relay.Tests.Common.Hosts;
using Relay.Tests.Common.Media;
using Relay.Tests.Integration.Ingest;

namespace Relay.Tests.EndToEnd.Obs;

/// <summary>
/// The brand advisors' real client: Debian's OBS Studio 29, headless on Xvfb (Mesa llvmpipe), publishing to the real
/// host's RTMP gateway with the demo channel's key from a written profile (<see cref="ObsProfile"/>), then a second
/// OBS with a wrong key. CPU heavy (llvmpipe compositing + x264), so it runs with the other real-encoder tests.
/// </summary>
[Collection(RealFfmpegCollection.Name)]
public sealed class ObsPublishTests
{
    private const int Width = 960;
    private const int Height = 540;

    [Fact]
    public async Task Obs_studio_publishes_through_the_gateway_and_obs_with_a_wrong_key_is_refused()
    {
        ObsAvailability.SkipIfMissing();
        FfmpegAvailability.SkipIfMissing();
        var ct = TestContext.Current.CancellationToken;
        var output = TestContext.Current.TestOutputHelper;
        var owner = Guid.NewGuid().ToString("N");
        using var home = new TempDir("relay-obs");

        await using var server = await RelayTestServer.StartAsync();
        var registry = server.App.Services.GetRequiredService<LiveChannelRegistry>();
        var processes = server.App.Services.GetRequiredService<FfmpegProcessRegistry>();
        var events = new Events();
        using var observer = registry.AddObserver(events);
        var demo = server.Channels.Find("demo")!;
        var rtmp = $"rtmp://127.0.0.1:{server.RtmpPort}/live";
        const string wrongKey = "sk_WRONG-KEY-from-an-old-obs-profile";
        using var admin = server.AdminClient();

        using (var display = await VirtualDisplay.StartAsync(owner, ct))
        {
            using (var obs = HeadlessObs.Start(Path.Combine(home.Path, "advisor"), display, new ObsStreamSettings(rtmp, demo.StreamKey) { Width = Width, Height = Height }, owner))
            {
                var connecting = await obs.WaitForLineAsync($"Connecting to RTMP URL {rtmp}", TimeSpan.FromSeconds(30), ct);
                var connected = await obs.WaitForLineAsync($"Connection to {rtmp} successful", TimeSpan.FromSeconds(15), ct);
                await events.Live.Task.WaitAsync(TimeSpan.FromSeconds(10), ct);
                var live = Stopwatch.GetElapsedTime(obs.StartedAt, events.LiveAt);
                Assert.True(registry.TryGetHub("demo", out var hub));
                var firstMedia = await FirstMediaAfterPublishAsync(server, ct);
                output?.WriteLine($"OBS start -> 'Connecting' {connecting.TotalMilliseconds:F0} ms -> channel live {live.TotalMilliseconds:F0} ms "
                    + $"(connect-to-live {(live - connecting).TotalMilliseconds:F0} ms) -> OBS 'successful' {connected.TotalMilliseconds:F0} ms; "
                    + $"first media in the hub {firstMedia} ms after the authorized publish");

                // The API reports what OBS sends: H.264 + AAC at the profile's output size, 2 s keyframes, ~30 fps, CBR.
                var ingest = await WaitForIngestStatsAsync(admin, ct);
                Assert.Equal("h264", ingest.GetProperty("videoCodec").GetString()?.ToLowerInvariant());
                Assert.Equal("aac", ingest.GetProperty("audioCodec").GetString()?.ToLowerInvariant());
                Assert.Equal(Width, ingest.GetProperty("width").GetInt32());
                Assert.Equal(Height, ingest.GetProperty("height").GetInt32());
                Assert.InRange(ingest.GetProperty("keyframeIntervalSeconds").GetDouble(), 1.5, 2.5);
                Assert.InRange(ingest.GetProperty("fps").GetDouble(), 15, 35);
                Assert.InRange(ingest.GetProperty("bitrateKbps").GetDouble(), 1500, 3500); // x264 CBR 2500 + AAC 160
                output?.WriteLine($"API ingest: {ingest}");

                // A viewer's HTTP-FLV starts with a keyframe and carries both streams.
                var probe = await GatewayPublishTests.FfprobeAsync(new Uri(server.BaseAddress, "/live/demo.flv"));
                var streams = probe.GetProperty("streams").EnumerateArray().ToList();
                Assert.Contains(streams, s => s.GetProperty("codec_name").GetString() == "h264" && s.GetProperty("width").GetInt32() == Width && s.GetProperty("height").GetInt32() == Height);
                Assert.Contains(streams, s => s.GetProperty("codec_name").GetString() == "aac");
                var firstVideo = probe.GetProperty("packets").EnumerateArray().First(p => p.GetProperty("codec_type").GetString() == "video");
                Assert.StartsWith("K", firstVideo.GetProperty("flags").GetString());

                // An OBS with a stale key: refused before any media moves, OBS reports the failure, the channel keeps its publisher.
                var refusedBefore = server.Logs.Lines.Count(l => l.Contains("Refused RTMP publish", StringComparison.Ordinal));
                using (var stale = HeadlessObs.Start(Path.Combine(home.Path, "stale"), display, new ObsStreamSettings(rtmp, wrongKey) { Width = 640, Height = 360 }, owner))
                {
                    await stale.WaitForLineAsync($"Connection to {rtmp} failed", TimeSpan.FromSeconds(30), ct);
                    Assert.False(stale.Logged($"Connection to {rtmp} successful"), stale.Log);
                    Assert.Contains(server.Logs.Lines, l => l.Contains("Refused RTMP publish", StringComparison.Ordinal) && l.Contains("bad_key", StringComparison.Ordinal));
                    Assert.Equal(refusedBefore + 1, server.Logs.Lines.Count(l => l.Contains("Refused RTMP publish", StringComparison.Ordinal)));
                    output?.WriteLine("stale OBS: " + string.Join(" | ", stale.Log.Split('\n').Where(l => l.Contains("rtmp stream", StringComparison.Ordinal) || l.Contains("Streaming", StringComparison.Ordinal))));
                }

                Assert.True(registry.TryGetHub("demo", out var hubAfter));
                Assert.Same(hub, hubAfter);
                Assert.Equal(["live"], events.All);
                var channel = JsonDocument.Parse(await admin.GetStringAsync("/api/v1/channels/demo", ct)).RootElement;
                Assert.True(channel.GetProperty("live").GetBoolean());
                Assert.Equal(Width, channel.GetProperty("ingest").GetProperty("width").GetInt32());
                Assert.False(obs.HasExited);
            }

            // OBS killed: the gateway sees the publisher go and the channel goes offline.
            await events.Offline.Task.WaitAsync(TimeSpan.FromSeconds(10), ct);
            Assert.Equal(["live", "offline"], events.All);
        }

        await AssertEventuallyEmptyAsync(() => HeadlessObs.ProcessesOwnedBy(owner), "OBS/Xvfb processes left", ct);
        await AssertEventuallyEmptyAsync(
            () => [.. processes.Running.Select(p => $"tracked ffmpeg {p.Role} {p.Pid}"), .. ChildProcesses.WithOwnerMarker(processes.OwnerMarker).Select(p => $"ffmpeg {p}")],
            "ffmpeg processes left",
            ct);
        Assert.DoesNotContain(demo.StreamKey, server.Logs.All);
        Assert.DoesNotContain(wrongKey, server.Logs.All);
    }

    [Fact]
    public async Task Rotating_the_key_cuts_obs_and_its_automatic_reconnect_with_the_old_key_is_refused()
    {
        ObsAvailability.SkipIfMissing();
        FfmpegAvailability.SkipIfMissing();
        var ct = TestContext.Current.CancellationToken;
        var owner = Guid.NewGuid().ToString("N");
        using var home = new TempDir("relay-obs");

        await using var server = await RelayTestServer.StartAsync();
        var registry = server.App.Services.GetRequiredService<LiveChannelRegistry>();
        var processes = server.App.Services.GetRequiredService<FfmpegProcessRegistry>();
        var events = new Events();
        using var observer = registry.AddObserver(events);
        var demo = server.Channels.Find("demo")!;
        var rtmp = $"rtmp://127.0.0.1:{server.RtmpPort}/live";
        using var admin = server.AdminClient();

        using (var display = await VirtualDisplay.StartAsync(owner, ct))
        using (var obs = HeadlessObs.Start(Path.Combine(home.Path, "advisor"), display, new ObsStreamSettings(rtmp, demo.StreamKey) { Width = 640, Height = 360 }, owner))
        {
            await obs.WaitForLineAsync($"Connection to {rtmp} successful", TimeSpan.FromSeconds(30), ct);
            await events.Live.Task.WaitAsync(TimeSpan.FromSeconds(10), ct);

            var rotate = await admin.PostAsync("/api/v1/channels/demo/stream-key/rotate", null, ct);
            Assert.Equal(System.Net.HttpStatusCode.OK, rotate.StatusCode);
            await events.Offline.Task.WaitAsync(TimeSpan.FromSeconds(10), ct);

            // OBS notices, and its automatic reconnect (on by default, first retry after 2 s) still carries the old key.
            await obs.WaitForLineAsync($"Disconnected from {rtmp}", TimeSpan.FromSeconds(10), ct);
            await obs.WaitForLineAsync("Reconnecting in", TimeSpan.FromSeconds(5), ct);
            await obs.WaitForLineAsync($"Connection to {rtmp} failed", TimeSpan.FromSeconds(15), ct);
            Assert.Contains(server.Logs.Lines, l => l.Contains("Refused RTMP publish", StringComparison.Ordinal) && l.Contains("bad_key", StringComparison.Ordinal));
            Assert.Equal(["live", "offline"], events.All);
            Assert.False(registry.IsLive("demo"));
        }

        await AssertEventuallyEmptyAsync(() => HeadlessObs.ProcessesOwnedBy(owner), "OBS/Xvfb processes left", ct);
        await AssertEventuallyEmptyAsync(
            () => [.. processes.Running.Select(p => $"tracked ffmpeg {p.Role} {p.Pid}"), .. ChildProcesses.WithOwnerMarker(processes.OwnerMarker).Select(p => $"ffmpeg {p}")],
            "ffmpeg processes left",
            ct);
        Assert.DoesNotContain(demo.StreamKey, server.Logs.All);
    }

    /// <summary>The gateway logs "Channel demo: first media N ms after publish" when ffmpeg's first FLV tag reaches the hub.</summary>
    private static async Task<int> FirstMediaAfterPublishAsync(RelayTestServer server, CancellationToken ct)
    {
        var until = DateTime.UtcNow + TimeSpan.FromSeconds(10);
        while (true)
        {
            var match = server.Logs.Lines.Select(l => Regex.Match(l, @"Channel demo: first media (\d+) ms after publish")).FirstOrDefault(m => m.Success);
            if (match is not null)
            {
                return int.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture);
            }

            Assert.True(DateTime.UtcNow < until, "no media reached the hub");
            await Task.Delay(50, ct);
        }
    }

    private static async Task<JsonElement> WaitForIngestStatsAsync(HttpClient admin, CancellationToken ct)
    {
        var until = DateTime.UtcNow + TimeSpan.FromSeconds(15);
        JsonElement channel;
        while (true)
        {
            channel = JsonDocument.Parse(await admin.GetStringAsync("/api/v1/channels/demo", ct)).RootElement;
            var ready = channel.GetProperty("live").GetBoolean()
                && channel.GetProperty("ingest") is { ValueKind: JsonValueKind.Object } ingest
                && ingest.GetProperty("keyframeIntervalSeconds").ValueKind == JsonValueKind.Number
                && ingest.GetProperty("fps").ValueKind == JsonValueKind.Number
                && ingest.GetProperty("bitrateKbps").ValueKind == JsonValueKind.Number;
            if (ready || DateTime.UtcNow > until)
            {
                break;
            }

            await Task.Delay(200, ct);
        }

        Assert.True(channel.GetProperty("live").GetBoolean(), channel.ToString());
        return channel.GetProperty("ingest");
    }

    private static async Task AssertEventuallyEmptyAsync(Func<IReadOnlyList<string>> list, string what, CancellationToken ct)
    {
        var until = DateTime.UtcNow + TimeSpan.FromSeconds(5);
        IReadOnlyList<string> left;
        while ((left = list()).Count > 0)
        {
            if (DateTime.UtcNow > until)
            {
                Assert.Fail($"{what}: {string.Join(", ", left)}");
            }

            await Task.Delay(50, ct);
        }
    }

    private sealed class Events : ILiveChannelObserver
    {
        private readonly List<string> _all = [];

        public TaskCompletionSource Live { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public TaskCompletionSource Offline { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public long LiveAt { get; private set; }

        public IReadOnlyList<string> All
        {
            get { lock (_all) return [.. _all]; }
        }

        public void ChannelLive(string channelId)
        {
            if (channelId != "demo")
            {
                return;
            }

            LiveAt = Stopwatch.GetTimestamp();
            lock (_all)
            {
                _all.Add("live");
            }

            Live.TrySetResult();
        }

        public void ChannelOffline(string channelId)
        {
            if (channelId != "demo")
            {
                return;
            }

            lock (_all)
            {
                _all.Add("offline");
            }

            Offline.TrySetResult();
        }
    }
}
