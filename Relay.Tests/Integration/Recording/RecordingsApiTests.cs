using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Relay.Ingest.Consumers.Recording;
using Relay.Tests.Common;
using Relay.Tests.Common.Media;
using Relay.Tests.Common.Hosts;
using Relay.Tests.Integration.Hls;

namespace Relay.Tests.Integration.Recording;

/// <summary>Listing and downloading recordings through the real host: auth, shape, names, traversal.</summary>
[Collection(RealFfmpegCollection.Name)]
public sealed class RecordingsApiTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Recordings_are_listed_and_downloaded_with_the_host_key_only()
    {
        FfmpegAvailability.SkipIfMissing();
        await using var server = await RelayTestServer.StartAsync();
        var demo = server.Channels.Find("demo")!;
        var recordings = server.App.Services.GetRequiredService<RecordingService>();
        using var anonymous = server.Client();
        using var host = server.Client(demo.HostKey);
        using var wrong = server.Client("not-a-key");

        using (var publisher = FfmpegPublisher.Start($"rtmp://127.0.0.1:{server.RtmpPort}/live/{demo.StreamKey}", seconds: 3))
        {
            await HlsPlaybackTests.WaitUntilAsync(() => recordings.List("demo") is [{ InProgress: true }], TimeSpan.FromSeconds(15), "recording started");
            Assert.True(recordings.AddMarker("demo", "pinned", JsonSerializer.SerializeToElement(new { sku = "DEMO-1" })));
            Assert.True(await publisher.WaitForExitAsync(TimeSpan.FromSeconds(15)));
        }

        await HlsPlaybackTests.WaitUntilAsync(() => recordings.List("demo") is [{ InProgress: false }], TimeSpan.FromSeconds(15), "recording finished");

        Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.GetAsync("/api/v1/channels/demo/recordings", Ct)).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await wrong.GetAsync("/api/v1/channels/demo/recordings", Ct)).StatusCode);

        var list = JsonDocument.Parse(await host.GetStringAsync("/api/v1/channels/demo/recordings", Ct)).RootElement;
        var item = Assert.Single(list.EnumerateArray());
        var id = item.GetProperty("id").GetString()!;
        Assert.Matches(@"^\d{8}-\d{6}$", id);
        Assert.Equal(JsonValueKind.String, item.GetProperty("startedAt").ValueKind);
        Assert.Equal(JsonValueKind.String, item.GetProperty("endedAt").ValueKind);
        Assert.InRange(item.GetProperty("durationSeconds").GetDouble(), 2, 4);
        var url = item.GetProperty("url").GetString()!;
        var timelineUrl = item.GetProperty("timelineUrl").GetString()!;
        Assert.Equal($"/recordings/demo/{id}.flv", url);
        Assert.Equal($"/recordings/demo/{id}.timeline.json", timelineUrl);

        using (var admin = server.AdminClient())
        {
            Assert.Equal(HttpStatusCode.OK, (await admin.GetAsync("/api/v1/channels/demo/recordings", Ct)).StatusCode);
            Assert.Equal(HttpStatusCode.NotFound, (await admin.GetAsync("/api/v1/channels/nochannel/recordings", Ct)).StatusCode);
        }

        Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.GetAsync(url, Ct)).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await wrong.GetAsync(url, Ct)).StatusCode);
        using (var download = await host.GetAsync(url, Ct))
        {
            Assert.Equal(HttpStatusCode.OK, download.StatusCode);
            Assert.Equal("video/x-flv", download.Content.Headers.ContentType?.MediaType);
            var bytes = await download.Content.ReadAsByteArrayAsync(Ct);
            Assert.Equal(item.GetProperty("bytes").GetInt64(), bytes.Length);
            Assert.Equal("FLV"u8.ToArray(), bytes[..3]);
        }

        using (var range = new HttpRequestMessage(HttpMethod.Get, url))
        {
            range.Headers.Range = new RangeHeaderValue(0, 12);
            using var partial = await host.SendAsync(range, Ct);
            Assert.Equal(HttpStatusCode.PartialContent, partial.StatusCode);
            Assert.Equal(13, (await partial.Content.ReadAsByteArrayAsync(Ct)).Length);
        }

        using (var timeline = await host.GetAsync(timelineUrl, Ct))
        {
            Assert.Equal("application/json", timeline.Content.Headers.ContentType?.MediaType);
            var events = JsonDocument.Parse(await timeline.Content.ReadAsStringAsync(Ct)).RootElement.GetProperty("events");
            Assert.Equal("pinned", Assert.Single(events.EnumerateArray()).GetProperty("kind").GetString());
        }

        // The demo host key opens nothing of another channel, and no name leaves the channel's folder.
        Assert.Equal(Relay.Server.Channels.ChannelOutcome.Ok, (await server.Channels.CreateAsync("other", "Other", Ct)).Outcome);
        Assert.Equal(HttpStatusCode.Forbidden, (await host.GetAsync($"/recordings/other/{id}.flv", Ct)).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await host.GetAsync("/api/v1/channels/other/recordings", Ct)).StatusCode);
        foreach (var bad in (string[])["..%2F..%2Frelay.db", "..%2Fdemo%2F" + id + ".flv", "relay.db", id + ".flv.tmp", id + ".FLV", "20260101-000000.flv"])
        {
            using var response = await host.GetAsync($"/recordings/demo/{bad}", Ct);
            Assert.True(response.StatusCode is HttpStatusCode.BadRequest or HttpStatusCode.NotFound, $"{bad}: {response.StatusCode}");
        }

        using (var admin = server.AdminClient())
        {
            using var traversal = await admin.GetAsync($"/recordings/..%2F..%2F/{id}.flv", Ct);
            Assert.True(traversal.StatusCode is HttpStatusCode.BadRequest or HttpStatusCode.NotFound, $"channel traversal: {traversal.StatusCode}");
        }
    }
}
