using Microsoft.Extensions.DependencyInjection;
using Relay.Ingest.Consumers.Recording;
using Relay.Tests.Common;
using Relay.Tests.Common.Media;
using Relay.Tests.Common.Hosts;
using Relay.Tests.Integration.Hls;

namespace Relay.Tests.Integration.Recording;

/// <summary>
/// Recordings share the disk with the order database (review finding M13): a free-space guard keeps recording from
/// filling it, and a retention period deletes old recordings.
/// </summary>
[Collection(RealFfmpegCollection.Name)]
public sealed class RecordingLimitsTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task A_session_is_not_recorded_when_the_disk_has_less_than_MinFreeBytes_free_and_the_live_stream_goes_on()
    {
        var settings = PlaybackSettings.AllOn(hls: false);
        settings["Relay:Recording:MinFreeBytes"] = (1L << 60).ToString(System.Globalization.CultureInfo.InvariantCulture); // more than any disk has
        await using var host = await IngestTestHost.StartAsync(settings);
        var recordings = host.Services.GetRequiredService<RecordingService>();
        var refusedBefore = RecordingMetrics.LowDiskStops.WithLabels("refused").Value;

        using var publisher = FfmpegPublisher.Start(host.RtmpUrl(IngestTestHost.DemoKey), seconds: 20);
        await host.WaitForLiveAsync("demo", live: true, TimeSpan.FromSeconds(15));
        await host.AssertKeyframeArrivesAsync("demo", "live media while recording is refused");
        using var http = new HttpClient();
        var viewer = await FlvHttpReader.ReadAsync(http, host.FlvUrl("demo"), TimeSpan.FromSeconds(2), Ct);
        Assert.Contains(viewer.Tags, t => t.Tag.IsKeyframe);

        Assert.Empty(recordings.List("demo"));
        Assert.False(Directory.Exists(Path.Combine(recordings.RootDirectory, "demo")) && Directory.EnumerateFiles(Path.Combine(recordings.RootDirectory, "demo")).Any());
        Assert.Equal(refusedBefore + 1, RecordingMetrics.LowDiskStops.WithLabels("refused").Value);
        Assert.Contains(host.Logs.Lines, l => l.Contains("Channel demo is not recorded", StringComparison.Ordinal) && l.Contains("MinFreeBytes", StringComparison.Ordinal));
        Assert.False(publisher.HasExited, publisher.Stderr);
        // The guard's free-space gauge is published for the alert (the gauges are process-wide: other hosts of
        // parallel tests set them too, so only "published" is checked).
        await HlsPlaybackTests.WaitUntilAsync(() => RecordingMetrics.DiskFreeBytes.Value > 0, TimeSpan.FromSeconds(10), "disk gauge");
    }

    [Fact]
    public async Task Recordings_last_written_before_RetentionDays_are_deleted_with_a_log_line_and_newer_ones_are_kept()
    {
        using var dataDir = new TempDir("relay-retention");
        var folder = Directory.CreateDirectory(Path.Combine(dataDir.Path, "recordings", "demo")).FullName;
        var old = WriteRecording(folder, "20261001-120000", DateTime.UtcNow.AddDays(-40));
        var fresh = WriteRecording(folder, "20261201-120000", DateTime.UtcNow.AddDays(-1));
        var deletedBefore = RecordingMetrics.Deleted.Value;

        var settings = PlaybackSettings.AllOn(hls: false);
        settings["Relay:DataDir"] = dataDir.Path;
        settings["Relay:Recording:RetentionDays"] = "30";
        await using var host = await IngestTestHost.StartAsync(settings);

        // The log line is the deletion's last step (after both files and the counter).
        await HlsPlaybackTests.WaitUntilAsync(() => host.Logs.Lines.Any(l => l.Contains("Deleted recording", StringComparison.Ordinal)), TimeSpan.FromSeconds(15), "the expired recording to be deleted");
        Assert.False(File.Exists(old));
        Assert.False(File.Exists(Path.ChangeExtension(old, null) + RecordingFileNames.TimelineExtension), "its timeline goes with it");
        Assert.True(File.Exists(fresh));
        Assert.True(File.Exists(Path.ChangeExtension(fresh, null) + RecordingFileNames.TimelineExtension));
        Assert.Equal(deletedBefore + 1, RecordingMetrics.Deleted.Value);
        Assert.Contains(host.Logs.Lines, l => l.Contains("Deleted recording", StringComparison.Ordinal) && l.Contains("20261001-120000.flv", StringComparison.Ordinal));
        var listed = Assert.Single(host.Services.GetRequiredService<RecordingService>().List("demo"));
        Assert.Equal("20261201-120000", listed.Id);
    }

    [Fact]
    public async Task Bad_recording_limits_stop_startup_naming_the_key()
    {
        var error = await Assert.ThrowsAnyAsync<Exception>(async () =>
        {
            await using var _ = await RelayTestServer.StartAsync("--Relay:Recording:RetentionDays=-1", "--Relay:Recording:MinFreeBytes=-5");
        });
        Assert.Contains("Relay:Recording:RetentionDays", error.ToString());
        Assert.Contains("Relay:Recording:MinFreeBytes", error.ToString());
    }

    /// <summary>An FLV header and a finished timeline, last written at <paramref name="at"/>; returns the media path.</summary>
    private static string WriteRecording(string folder, string id, DateTime at)
    {
        var media = Path.Combine(folder, id + RecordingFileNames.MediaExtension);
        File.WriteAllBytes(media, [.. "FLV"u8, 1, 5, 0, 0, 0, 9, 0, 0, 0, 0]);
        var timeline = Path.Combine(folder, id + RecordingFileNames.TimelineExtension);
        var started = at.AddMinutes(-30).ToString("O", System.Globalization.CultureInfo.InvariantCulture);
        var ended = at.ToString("O", System.Globalization.CultureInfo.InvariantCulture);
        File.WriteAllText(timeline, $$"""{"version":1,"channelId":"demo","recording":"{{id}}","startedAt":"{{started}}","endedAt":"{{ended}}","durationSeconds":1800,"events":[]}""");
        File.SetLastWriteTimeUtc(media, at);
        File.SetLastWriteTimeUtc(timeline, at);
        return media;
    }
}
