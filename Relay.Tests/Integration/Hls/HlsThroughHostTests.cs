using System.Net;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Relay.Ingest.Consumers.Hls;
using Relay.Ingest.Consumers.Recording;
using Relay.Ingest.Ffmpeg;
using Relay.Tests.Common;
using Relay.Tests.Common.Media;
using Relay.Tests.Common.Hosts;

namespace Relay.Tests.Integration.Hls;

/// <summary>HLS and recording as the real host runs them: default configuration, channel keys from the store.</summary>
[Collection(RealFfmpegCollection.Name)]
public sealed class HlsThroughHostTests
{
    [Fact]
    public async Task A_published_channel_plays_as_hls_through_the_host_and_is_recorded()
    {
        FfmpegAvailability.SkipIfMissing();
        var ct = TestContext.Current.CancellationToken;
        await using var server = await RelayTestServer.StartAsync();
        var demo = server.Channels.Find("demo")!;
        var hls = server.App.Services.GetRequiredService<HlsService>();
        using var viewer = server.Client();

        using (var publisher = FfmpegPublisher.Start($"rtmp://127.0.0.1:{server.RtmpPort}/live/{demo.StreamKey}", seconds: 30))
        {
            await HlsPlaybackTests.WaitUntilAsync(() => hls.IsPackaging("demo"), TimeSpan.FromSeconds(15), "packager started");
            using var playlist = await viewer.GetAsync("/live/demo/index.m3u8", ct);
            Assert.Equal(HttpStatusCode.OK, playlist.StatusCode);
            Assert.Equal(HlsEndpoints.PlaylistContentType, playlist.Content.Headers.ContentType?.MediaType);
            var segment = (await playlist.Content.ReadAsStringAsync(ct)).Split('\n').First(l => l.StartsWith("seg-", StringComparison.Ordinal)).Trim();
            using var media = await viewer.GetAsync($"/live/demo/{segment}", ct);
            Assert.Equal(HlsEndpoints.SegmentContentType, media.Content.Headers.ContentType?.MediaType);
            using var bad = await viewer.GetAsync("/live/demo/..%2F..%2Frelay.db", ct);
            Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
            Assert.Equal("application/problem+json", bad.Content.Headers.ContentType?.MediaType);
            Assert.StartsWith(Path.Combine(server.DataDir, "hls"), hls.DirectoryOf("demo"));
        }

        await HlsPlaybackTests.WaitUntilAsync(() => !hls.IsPackaging("demo"), TimeSpan.FromSeconds(15), "packager stopped");
        using var offline = await viewer.GetAsync("/live/demo/index.m3u8", ct);
        Assert.Equal(HttpStatusCode.NotFound, offline.StatusCode);
        Assert.Equal("channel is offline", JsonDocument.Parse(await offline.Content.ReadAsStringAsync(ct)).RootElement.GetProperty("title").GetString());
        Assert.False(Directory.Exists(hls.DirectoryOf("demo")));
        Assert.DoesNotContain(server.App.Services.GetRequiredService<FfmpegProcessRegistry>().Running, p => p.Role == HlsPackager.Role);
        await HlsPlaybackTests.WaitUntilAsync(
            () => server.App.Services.GetRequiredService<RecordingService>().List("demo") is [{ InProgress: false, DurationSeconds: > 1 }],
            TimeSpan.FromSeconds(10), "recorded");
    }
}
