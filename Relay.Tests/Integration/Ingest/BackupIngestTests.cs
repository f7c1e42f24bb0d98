using System.Diagnostics;
using System.Net;
using System.Text.Json;
using Relay.Tests.Common;
using Relay.Tests.Common.Hosts;
using Relay.Tests.Common.Media;
using Relay.Tests.Common.Peers;
using static Relay.Tests.Integration.Ingest.SlateTests;

namespace Relay.Tests.Integration.Ingest;

/// <summary>
/// Issue 17 item 2, end to end: a channel's backup stream key. A second ffmpeg publishing with it while the primary is
/// live waits as standby; killing the primary fails over to it at its keyframe, the primary returning takes over again,
/// all with the push to nginx-rtmp on one connection, timestamps never going back and a recording that decodes.
/// Rotating the backup key cuts the backup only. The key is shown once, revealed on request and redacted elsewhere.
/// </summary>
[Collection(RealFfmpegCollection.Name)]
public sealed class BackupIngestTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task The_backup_waits_takes_over_when_the_primary_drops_and_hands_back_when_it_returns()
    {
        FfmpegAvailability.SkipIfMissing();
        await using var nginx = await NginxPeer.StartAsync();
        await using var server = await RelayTestServer.StartAsync($"--{TestHost.SlateSecondsKey}=20", "--Relay:Hls:Enabled=false", "--Relay:Recording:Enabled=false");
        using var admin = server.AdminClient();
        var (id, streamKey, backupKey) = await CreateAsync(admin, "backup-failover", nginx.RtmpPort, "backup-push");
        var clock = Stopwatch.StartNew();
        string Url(string key) => $"rtmp://127.0.0.1:{server.RtmpPort}/live/{key}";

        var primary = FfmpegPublisher.Start(Url(streamKey), seconds: 60);
        try
        {
            await WaitForDestinationAsync(admin, id, "live");
            using var backup = FfmpegPublisher.Start(Url(backupKey), seconds: 60, size: "640x360");
            await Eventually.TrueAsync(async () => (await IngestAsync(admin, id)) is { } ingest && ingest.GetProperty("backupStandby").GetBoolean(),
                "the backup on standby", TimeSpan.FromSeconds(15), Ct);
            Assert.Equal("primary", (await IngestAsync(admin, id))!.Value.GetProperty("onAir").GetString());

            await using var player = FfmpegPeers.StartPlayer($"rtmp://127.0.0.1:{nginx.RtmpPort}/live/backup-push");
            var recording = Path.GetTempFileName();
            await using var sink = FfmpegPeers.Record(player, clock, recording);
            await sink.WaitForAsync(t => t.Type == 9 && t.Keyframe, TimeSpan.FromSeconds(10));
            await using var sockets = SocketSampler.Start(nginx.RtmpPort);
            await Task.Delay(1000, Ct);

            var killedAt = clock.Elapsed.TotalMilliseconds;
            primary.Dispose();
            await WaitForOnAirAsync(admin, id, "backup");
            var onBackupAt = clock.Elapsed.TotalMilliseconds;
            Assert.Equal(1, await MetricAsync(server, "relay_ingest_failovers_total", $"channel=\"{id}\",to=\"backup\""));
            await Task.Delay(2000, Ct);

            using var returning = FfmpegPublisher.Start(Url(streamKey), seconds: 60);
            await WaitForOnAirAsync(admin, id, "primary");
            Assert.Equal(1, await MetricAsync(server, "relay_ingest_failovers_total", $"channel=\"{id}\",to=\"primary\""));
            await Eventually.TrueAsync(async () => (await IngestAsync(admin, id))!.Value.GetProperty("backupStandby").GetBoolean(),
                "the backup back on standby", TimeSpan.FromSeconds(5), Ct);
            await Task.Delay(2000, Ct);

            var sampled = await sockets.StopAsync();
            var tags = sink.Tags;
            TestContext.Current.SendDiagnosticMessage($"backup on air {onBackupAt - killedAt:0} ms after the kill; largest picture gap at the sink {LargestVideoGap(tags, killedAt - 500, onBackupAt + 1000):0} ms");
            Assert.Equal((1, 1), (sampled.Min, sampled.Max));
            Assert.Equal(0, (await DestinationAsync(admin, id)).GetProperty("reconnects").GetInt32());
            Assert.True(LargestVideoGap(tags, killedAt - 500, clock.Elapsed.TotalMilliseconds) < 1000, "the sink's picture stopped at a switch");
            AssertNeverBackwards(tags.Select(t => (t.Type, t.Timestamp, t.SequenceHeader)), "the sink");
            await sink.DisposeAsync();
            await AssertDecodesAsync(recording);
            File.Delete(recording);

            // Rotating the backup key cuts the backup publisher only: the primary stays on air.
            using var rotated = await admin.PostAsync($"/api/v1/channels/{id}/backup-stream-key/rotate", null, Ct);
            Assert.Equal(HttpStatusCode.OK, rotated.StatusCode);
            var newBackupKey = JsonDocument.Parse(await rotated.Content.ReadAsStringAsync(Ct)).RootElement.GetProperty("backupStreamKey").GetString()!;
            Assert.NotEqual(backupKey, newBackupKey);
            Assert.True(await backup.WaitForExitAsync(TimeSpan.FromSeconds(10)), "the rotation did not cut the backup publisher");
            await Eventually.TrueAsync(async () => (await IngestAsync(admin, id))!.Value.GetProperty("backupStandby").GetBoolean() == false,
                "no backup on standby", TimeSpan.FromSeconds(5), Ct);
            Assert.Equal("primary", (await IngestAsync(admin, id))!.Value.GetProperty("onAir").GetString());
            Assert.False(returning.HasExited);
            Assert.DoesNotContain(backupKey, server.Logs.All);
            Assert.DoesNotContain(newBackupKey, server.Logs.All);
        }
        finally
        {
            primary.Dispose();
        }
    }

    [Fact]
    public async Task A_backup_alone_goes_on_air_and_the_key_is_redacted_revealed_and_refused_after_rotation()
    {
        FfmpegAvailability.SkipIfMissing();
        await using var server = await RelayTestServer.StartAsync("--Relay:Hls:Enabled=false", "--Relay:Recording:Enabled=false");
        using var admin = server.AdminClient();
        using var created = await admin.PostAsync("/api/v1/channels", RelayServerTest.JsonBody("""{"id":"backup-alone","title":"Backup alone"}"""), Ct);
        var body = JsonDocument.Parse(await created.Content.ReadAsStringAsync(Ct)).RootElement;
        var backupKey = body.GetProperty("backupStreamKey").GetString()!;
        Assert.StartsWith("bk_", backupKey, StringComparison.Ordinal);

        // Redacted in the channel, whole only in the explicit reveal (not cached).
        var detail = await admin.GetStringAsync("/api/v1/channels/backup-alone", Ct);
        Assert.DoesNotContain(backupKey, detail);
        Assert.Equal(backupKey[^4..], JsonDocument.Parse(detail).RootElement.GetProperty("backupStreamKey").GetString()![^4..]);
        using (var reveal = await admin.GetAsync("/api/v1/channels/backup-alone/backup-stream-key", Ct))
        {
            Assert.Equal("no-store", reveal.Headers.CacheControl?.ToString());
            Assert.Equal(backupKey, JsonDocument.Parse(await reveal.Content.ReadAsStringAsync(Ct)).RootElement.GetProperty("backupStreamKey").GetString());
        }

        using (var anonymous = server.Client())
        {
            Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.GetAsync("/api/v1/channels/backup-alone/backup-stream-key", Ct)).StatusCode);
        }

        Assert.Equal(HttpStatusCode.NotFound, (await admin.PostAsync("/api/v1/channels/nope/backup-stream-key/rotate", null, Ct)).StatusCode);

        // The backup key alone takes the channel live: it is the only input.
        using (var publisher = FfmpegPublisher.Start($"rtmp://127.0.0.1:{server.RtmpPort}/live/{backupKey}", seconds: 30))
        {
            await WaitForOnAirAsync(admin, "backup-alone", "backup");
        }

        using var rotated = await admin.PostAsync("/api/v1/channels/backup-alone/backup-stream-key/rotate", null, Ct);
        Assert.Equal(HttpStatusCode.OK, rotated.StatusCode);
        await Eventually.TrueAsync(async () => !JsonDocument.Parse(await admin.GetStringAsync("/api/v1/channels/backup-alone", Ct)).RootElement.GetProperty("live").GetBoolean(),
            "offline", TimeSpan.FromSeconds(10), Ct);
        using (var stale = FfmpegPublisher.Start($"rtmp://127.0.0.1:{server.RtmpPort}/live/{backupKey}", seconds: 5))
        {
            Assert.True(await stale.WaitForExitAsync(TimeSpan.FromSeconds(15)), "the old backup key was not refused");
            Assert.NotEqual(0, stale.ExitCode);
        }

        Assert.DoesNotContain(backupKey, server.Logs.All);
    }

    private static async Task<(string Id, string StreamKey, string BackupKey)> CreateAsync(HttpClient admin, string id, int sinkPort, string sinkKey)
    {
        var (created, streamKey) = await CreateChannelWithSinkAsync(admin, id, sinkPort, sinkKey);
        using var reveal = await admin.GetAsync($"/api/v1/channels/{created}/backup-stream-key", Ct);
        return (created, streamKey, JsonDocument.Parse(await reveal.Content.ReadAsStringAsync(Ct)).RootElement.GetProperty("backupStreamKey").GetString()!);
    }

    private static async Task<JsonElement?> IngestAsync(HttpClient admin, string id)
    {
        var channel = JsonDocument.Parse(await admin.GetStringAsync($"/api/v1/channels/{id}", Ct)).RootElement;
        return channel.TryGetProperty("ingest", out var ingest) && ingest.ValueKind == JsonValueKind.Object ? ingest.Clone() : null;
    }
}
