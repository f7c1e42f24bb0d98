using Microsoft.Extensions.DependencyInjection;
using Relay.Ingest.Ffmpeg;
using Relay.Ingest.Streams;
using Relay.Tests.Common;
using Relay.Tests.Common.Hosts;
using Relay.Tests.Common.Media;

namespace Relay.Tests.EndToEnd.Obs;

/// <summary>
/// OBS Studio 29 headless publishing over SRT: the same "Custom..." service with an <c>srt://</c> server, which makes
/// OBS use its MPEG-TS output (ffmpeg_mpegts_muxer) instead of RTMP; then an OBS whose streamid carries a wrong key.
/// </summary>
[Collection(RealFfmpegCollection.Name)]
public sealed class ObsSrtPublishTests
{
    [Fact]
    public async Task Obs_studio_publishes_over_SRT_and_obs_with_a_wrong_key_is_refused()
    {
        ObsAvailability.SkipIfMissing();
        FfmpegAvailability.SkipIfMissing();
        var ct = TestContext.Current.CancellationToken;
        var output = TestContext.Current.TestOutputHelper;
        var owner = Guid.NewGuid().ToString("N");
        using var home = new TempDir("relay-obs-srt");
        var srtPort = FreePort.NextUdp();
        await using var server = await RelayTestServer.StartAsync($"--Relay:Ingest:SrtPort={srtPort}");
        var registry = server.App.Services.GetRequiredService<LiveChannelRegistry>();
        var processes = server.App.Services.GetRequiredService<FfmpegProcessRegistry>();
        var demo = server.Channels.Find("demo")!;
        const string wrongKey = "sk_WRONG-KEY-from-an-old-obs-profile";

        // What the studio shows the host to paste into OBS: the SRT address with the key as a placeholder.
        using (var admin = server.AdminClient())
        {
            var channel = System.Text.Json.JsonDocument.Parse(await admin.GetStringAsync("/api/v1/channels/demo", ct)).RootElement;
            Assert.Equal($"srt://127.0.0.1:{srtPort}?streamid=publish:live/STREAM_KEY", channel.GetProperty("srtUrl").GetString());
        }

        using (var display = await VirtualDisplay.StartAsync(owner, ct))
        {
            using (var obs = HeadlessObs.Start(Path.Combine(home.Path, "advisor"), display, new ObsStreamSettings(IngestTestHost.SrtUrl(srtPort, "publish:live/" + demo.StreamKey), "") { Width = 640, Height = 360 }, owner))
            {
                await WaitAsync(() => registry.IsLive("demo"), TimeSpan.FromSeconds(40), () => "OBS over SRT did not take the channel live: " + obs.Log);
                Assert.True(registry.TryGetHub("demo", out var hub));
                await WaitAsync(() => hub.HasKeyframe, TimeSpan.FromSeconds(10), () => "no keyframe from OBS over SRT");
                await WaitAsync(() => registry.GetStatus("demo") is { Width: not null, Fps: not null }, TimeSpan.FromSeconds(10), () => "no ingest status");
                var status = registry.GetStatus("demo")!;
                output?.WriteLine($"OBS over SRT: {status.VideoCodec} {status.Width}x{status.Height} {status.Fps} fps {status.BitrateKbps} kbps");
                Assert.Equal("h264", status.VideoCodec);
                Assert.Equal("aac", status.AudioCodec);
                Assert.Equal(640, status.Width);

                var refusedBefore = server.Logs.Lines.Count(l => l.Contains("Refused SRT publish", StringComparison.Ordinal) && l.Contains("bad_key", StringComparison.Ordinal));
                using (var stale = HeadlessObs.Start(Path.Combine(home.Path, "stale"), display, new ObsStreamSettings(IngestTestHost.SrtUrl(srtPort, "publish:live/" + wrongKey), "") { Width = 640, Height = 360 }, owner))
                {
                    await WaitAsync(
                        () => server.Logs.Lines.Count(l => l.Contains("Refused SRT publish", StringComparison.Ordinal) && l.Contains("bad_key", StringComparison.Ordinal)) > refusedBefore,
                        TimeSpan.FromSeconds(40),
                        () => "the stale OBS was not refused: " + stale.Log);
                }

                Assert.True(registry.TryGetHub("demo", out var hubAfter));
                Assert.Same(hub, hubAfter);
                Assert.False(obs.HasExited);
            }

            await WaitAsync(() => !registry.IsLive("demo"), TimeSpan.FromSeconds(15), () => "the channel stayed live after OBS went");
        }

        Assert.DoesNotContain(demo.StreamKey, server.Logs.All);
        Assert.DoesNotContain(wrongKey, server.Logs.All);
        await WaitAsync(() => HeadlessObs.ProcessesOwnedBy(owner).Count == 0 && processes.Running.Count == 0, TimeSpan.FromSeconds(15), () => "OBS, Xvfb or ffmpeg left");
    }

    /// <summary>Polls a condition of the server or of OBS; fails with what explains it.</summary>
    private static async Task WaitAsync(Func<bool> condition, TimeSpan timeout, Func<string> diagnostics)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < deadline, diagnostics());
            await Task.Delay(100, TestContext.Current.CancellationToken);
        }
    }
}
