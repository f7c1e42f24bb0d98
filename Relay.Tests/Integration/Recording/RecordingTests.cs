using System.Diagnostics;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Relay.Ingest.Consumers.Recording;
using Relay.Tests.Common;
using Relay.Tests.Common.Media;
using Relay.Tests.Common.Hosts;
using Relay.Tests.Integration.Hls;

namespace Relay.Tests.Integration.Recording;

/// <summary>A real publish session recorded natively as FLV, read back by ffprobe, with timeline markers.</summary>
[Collection(RealFfmpegCollection.Name)]
public sealed class RecordingTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Publish_session_is_recorded_as_playable_flv_with_its_timeline()
    {
        await using var host = await IngestTestHost.StartAsync(PlaybackSettings.AllOn());
        var recordings = host.Services.GetRequiredService<RecordingService>();
        Assert.False(recordings.AddMarker("demo", "pinned", JsonSerializer.SerializeToElement(new { sku = "SKU-1" })), "no recording while offline");

        const double publishSeconds = 6;
        using var publisher = FfmpegPublisher.Start(host.RtmpUrl(IngestTestHost.DemoKey), seconds: publishSeconds);
        await host.WaitForLiveAsync("demo", live: true, TimeSpan.FromSeconds(15));
        await HlsPlaybackTests.WaitUntilAsync(() => recordings.List("demo") is [{ InProgress: true, Bytes: > 50_000 }], TimeSpan.FromSeconds(10), "recording in progress");

        var clock = Stopwatch.StartNew();
        Assert.True(recordings.AddMarker("demo", "pinned", JsonSerializer.SerializeToElement(new { sku = "SKU-1", priceCents = 1999 })));
        await Task.Delay(1500, Ct);
        Assert.True(recordings.AddMarker("demo", "flashSale", JsonSerializer.SerializeToElement(new { sku = "SKU-1", priceCents = 999, quantity = 5 })));
        await Task.Delay(1000, Ct);
        Assert.True(recordings.AddMarker("demo", "unpinned", null));
        var markerSpan = clock.Elapsed.TotalSeconds;

        // What a kill -9 of Relay leaves is what is on disk now: copy it mid-session, repair it as a restart would.
        using var crashed = new TempDir("relay-crashed");
        var inProgress = Assert.Single(recordings.List("demo"));
        var crashedFolder = Directory.CreateDirectory(Path.Combine(crashed.Path, "recordings", "demo")).FullName;
        foreach (var name in (string[])[inProgress.FileName, inProgress.TimelineFileName])
        {
            File.Copy(Path.Combine(host.DataDir, "recordings", "demo", name), Path.Combine(crashedFolder, name));
        }

        var afterRestart = RecordingRecoveryTests.NewService(crashed.Path);
        await afterRestart.StartAsync(Ct);
        var recovered = Assert.Single(afterRestart.List("demo"));
        Assert.NotNull(recovered.EndedAt);
        var recoveredProbe = await Ffprobe.ProbeAsync(Path.Combine(crashedFolder, recovered.FileName), Ct);
        Assert.Contains("h264", Ffprobe.Codecs(recoveredProbe));
        Assert.InRange(Ffprobe.Duration(recoveredProbe), recovered.DurationSeconds!.Value - 0.5, recovered.DurationSeconds.Value + 0.5);
        Assert.Equal(3, RecordingTimeline.TryLoad(Path.Combine(crashedFolder, recovered.TimelineFileName))!.Events.Count);

        Assert.True(await publisher.WaitForExitAsync(TimeSpan.FromSeconds(20)), "publisher finished");
        await host.WaitForLiveAsync("demo", live: false, TimeSpan.FromSeconds(10));
        await HlsPlaybackTests.WaitUntilAsync(() => recordings.List("demo") is [{ InProgress: false, EndedAt: not null }], TimeSpan.FromSeconds(10), "recording finished");
        Assert.False(recordings.AddMarker("demo", "unpinned"), "no recording after the session");

        var recording = Assert.Single(recordings.List("demo"));
        Assert.Matches(@"^\d{8}-\d{6}$", recording.Id);
        var path = Path.Combine(host.DataDir, "recordings", "demo", recording.FileName);
        Assert.Equal(new FileInfo(path).Length, recording.Bytes);
        Assert.InRange(recording.DurationSeconds!.Value, publishSeconds - 1, publishSeconds + 1);

        var probe = await Ffprobe.ProbeAsync(path, Ct);
        Assert.Contains("h264", Ffprobe.Codecs(probe));
        Assert.Contains("aac", Ffprobe.Codecs(probe));
        Assert.InRange(Ffprobe.Duration(probe), publishSeconds - 1, publishSeconds + 1);
        TestContext.Current.TestOutputHelper?.WriteLine($"recording {recording.Bytes} bytes, ffprobe duration {Ffprobe.Duration(probe):0.000} s, listed {recording.DurationSeconds:0.000} s");

        var timeline = JsonDocument.Parse(await File.ReadAllTextAsync(Path.Combine(host.DataDir, "recordings", "demo", recording.TimelineFileName), Ct)).RootElement;
        Assert.Equal("demo", timeline.GetProperty("channelId").GetString());
        Assert.Equal(recording.FileName, timeline.GetProperty("recording").GetString());
        Assert.Equal(JsonValueKind.String, timeline.GetProperty("endedAt").ValueKind);
        var events = timeline.GetProperty("events").EnumerateArray().ToList();
        Assert.Equal(["pinned", "flashSale", "unpinned"], events.Select(e => e.GetProperty("kind").GetString()));
        var offsets = events.Select(e => e.GetProperty("offsetSeconds").GetDouble()).ToList();
        Assert.True(offsets[0] > 0 && offsets[0] < offsets[1] && offsets[1] < offsets[2], $"offsets increase: {string.Join(", ", offsets)}");
        Assert.InRange(offsets[2] - offsets[0], markerSpan - 0.3, markerSpan + 0.3);
        TestContext.Current.TestOutputHelper?.WriteLine($"marker offsets {string.Join(", ", offsets)}; wall-clock span {markerSpan:0.000} s");
        Assert.InRange(offsets[2], 0, publishSeconds);
        Assert.Equal("SKU-1", events[0].GetProperty("payload").GetProperty("sku").GetString());
        Assert.Equal(999, events[1].GetProperty("payload").GetProperty("priceCents").GetInt32());
        Assert.Equal(JsonValueKind.Null, events[2].GetProperty("payload").ValueKind);

        Assert.True(RecordingMetrics.Bytes.WithLabels("demo").Value >= recording.Bytes);
        await host.AssertNoFfmpegLeftAsync();
        host.AssertLogsClean();
    }

    [Fact]
    public async Task Each_session_gets_its_own_recording_and_disabled_recording_writes_nothing()
    {
        await using (var host = await IngestTestHost.StartAsync(PlaybackSettings.AllOn()))
        {
            var recordings = host.Services.GetRequiredService<RecordingService>();
            for (var session = 0; session < 2; session++)
            {
                using var publisher = FfmpegPublisher.Start(host.RtmpUrl(IngestTestHost.DemoKey), seconds: 2);
                await host.WaitForLiveAsync("demo", live: true, TimeSpan.FromSeconds(15));
                Assert.True(await publisher.WaitForExitAsync(TimeSpan.FromSeconds(15)));
                await host.WaitForLiveAsync("demo", live: false, TimeSpan.FromSeconds(10));
            }

            await HlsPlaybackTests.WaitUntilAsync(() => recordings.List("demo") is [{ InProgress: false }, { InProgress: false }], TimeSpan.FromSeconds(10), "two finished recordings");
            var list = recordings.List("demo");
            Assert.NotEqual(list[0].Id, list[1].Id);
            Assert.True(list[0].StartedAt >= list[1].StartedAt, "newest first");
        }

        await using (var host = await IngestTestHost.StartAsync(PlaybackSettings.AllOn(recording: false)))
        {
            using var publisher = FfmpegPublisher.Start(host.RtmpUrl(IngestTestHost.DemoKey), seconds: 2);
            await host.WaitForLiveAsync("demo", live: true, TimeSpan.FromSeconds(15));
            Assert.False(host.Services.GetRequiredService<RecordingService>().AddMarker("demo", "pinned"));
            Assert.True(await publisher.WaitForExitAsync(TimeSpan.FromSeconds(15)));
            Assert.False(Directory.Exists(Path.Combine(host.DataDir, "recordings")));
        }
    }
}
