using System.Globalization;
using System.Net;
using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.SignalR.Client;
using Relay.Chat.Contracts;
using Relay.Tests.Common.Chat;
using Relay.Tests.Common;
using Relay.Tests.Common.Hosts;
using Relay.Tests.Common.Media;
using Relay.Tests.Common.Peers;
using Relay.Tests.Integration.Ingest;
using Hub = Relay.Tests.Common.Hosts.Hub;

namespace Relay.Tests.Integration.Server;

/// <summary>
/// Contract v2 "Rehearsal", end to end: ffmpeg publishes to a real Relay whose channel has a real RTMP destination
/// (nginx-rtmp). While the channel rehearses (its switch, or a <c>?bandwidthtest</c> key) the host's preview plays real
/// FLV, and nothing else happens: no push connection to the sink, no recording file, public HTTP-FLV and HLS answer
/// offline, the channel reads not live; switching the rehearsal off goes live at once (the sink receives the stream),
/// switching it on again stops the push and the public viewers. How each publish ended is counted by reason.
/// </summary>
[Collection(RealFfmpegCollection.Name)]
public sealed class RehearsalTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task A_rehearsal_is_previewed_by_the_host_only_and_going_live_and_back_follows_the_switch()
    {
        FfmpegAvailability.SkipIfMissing();
        await using var nginx = await NginxPeer.StartAsync();
        await using var server = await RelayTestServer.StartAsync();
        using var admin = server.AdminClient();
        var (id, streamKey, hostKey) = await CreateChannelWithSinkAsync(server, admin, "rehearsal-switch", nginx.RtmpPort, "rehearsal-push-key");
        var rehearsals = await CounterAsync(server, "relay_ingest_rehearsals_total", $"channel=\"{id}\"");

        using var on = await admin.PatchAsync($"/api/v1/channels/{id}", RelayServerTest.JsonBody("""{"rehearsal":true}"""), Ct);
        Assert.Equal(HttpStatusCode.OK, on.StatusCode);
        Assert.True(JsonDocument.Parse(await on.Content.ReadAsStringAsync(Ct)).RootElement.GetProperty("rehearsal").GetBoolean());

        // A viewer in the room: the rehearsal never reads live there.
        await using var room = Hub.Build(new Uri(server.BaseAddress, "/hubs/live"), "json");
        var status = new EventInbox<StatusEvent>(room, "status");
        await room.StartAsync(Ct);
        Assert.False((await room.InvokeAsync<JoinSnapshot>("Join", id, new JoinOptions { DisplayName = "Early" }, Ct)).Live);

        using var publisher = FfmpegPublisher.Start($"rtmp://127.0.0.1:{server.RtmpPort}/live/{streamKey}", seconds: 60);
        var channel = await WaitForChannelAsync(admin, id, HasIngest, "the rehearsal's ingest shows in the API");
        Assert.False(channel.GetProperty("live").GetBoolean());
        Assert.True(channel.GetProperty("ingest").GetProperty("rehearsal").GetBoolean());
        Assert.Equal(rehearsals + 1, await CounterAsync(server, "relay_ingest_rehearsals_total", $"channel=\"{id}\""));
        Assert.Equal(0, await CounterAsync(server, "relay_ingest_live", $"channel=\"{id}\""));

        // The host's preview and the admin's play the stream; a wrong token is refused, not shown the public answer.
        using var anonymous = server.Client();
        await AssertPlaysAsync(anonymous, new Uri(server.BaseAddress, $"/live/{id}.flv?access_token={Uri.EscapeDataString(hostKey)}"));
        using (var adminViewer = server.AdminClient())
        {
            await AssertPlaysAsync(adminViewer, new Uri(server.BaseAddress, $"/live/{id}.flv"));
        }
        using (var wrong = await anonymous.GetAsync($"/live/{id}.flv?access_token=hk_not-this-channel", Ct))
        {
            Assert.Equal(HttpStatusCode.Unauthorized, wrong.StatusCode);
        }

        // Nobody else sees it: public HTTP-FLV and HLS are offline, no push connection was ever opened, nothing recorded.
        await AssertPublicOfflineAsync(anonymous, id);
        Assert.Empty(Leftovers.OwnSocketsOn([nginx.RtmpPort]));
        Assert.Equal("idle", await DestinationStateAsync(admin, id));
        Assert.Empty(Recordings(server, id));
        Assert.False(publisher.HasExited, publisher.Stderr);
        Assert.False((await room.InvokeAsync<JoinSnapshot>("Join", id, new JoinOptions { DisplayName = "Early" }, Ct)).Live);
        Assert.Empty(status.All);

        // Off while publishing: live at once, to the destination, the public and the recorder.
        using (var off = await admin.PatchAsync($"/api/v1/channels/{id}", RelayServerTest.JsonBody("""{"rehearsal":false}"""), Ct))
        {
            Assert.Equal(HttpStatusCode.OK, off.StatusCode);
        }
        await WaitForChannelAsync(admin, id, c => c.GetProperty("live").GetBoolean(), "live after the rehearsal was switched off");
        await WaitForDestinationAsync(admin, id, "live");
        Assert.True((await status.NextAsync(seconds: 15)).Live);
        var probe = await GatewayPublishTests.FfprobeAsync(new Uri($"rtmp://127.0.0.1:{nginx.RtmpPort}/live/rehearsal-push-key"));
        Assert.Contains(probe.GetProperty("streams").EnumerateArray(), s => s.GetProperty("codec_name").GetString() == "h264");
        await AssertPlaysAsync(anonymous, new Uri(server.BaseAddress, $"/live/{id}.flv"));
        await EventuallyAsync(() => Recordings(server, id).Length > 0, "a recording started once public");
        Assert.Equal(1, await CounterAsync(server, "relay_ingest_live", $"channel=\"{id}\""));

        // On again while live: a public viewer is cut, the push stops, the preview goes on.
        var publicViewer = FlvHttpReader.ReadAsync(anonymous, new Uri(server.BaseAddress, $"/live/{id}.flv"), TimeSpan.FromSeconds(60), Ct);
        await EventuallyAsync(async () => await CounterAsync(server, "relay_fanout_subscribers", $"channel=\"{id}\",kind=\"http_flv\"") == 1, "the public viewer watching");
        using (var again = await admin.PatchAsync($"/api/v1/channels/{id}", RelayServerTest.JsonBody("""{"rehearsal":true}"""), Ct))
        {
            Assert.Equal(HttpStatusCode.OK, again.StatusCode);
        }
        Assert.True(await Task.WhenAny(publicViewer, Task.Delay(TimeSpan.FromSeconds(20), Ct)) == publicViewer, "the public viewer was not cut");
        Assert.Contains((await publicViewer).Tags, t => t.Tag.IsVideo && t.Tag.IsKeyframe);
        await WaitForDestinationAsync(admin, id, "idle");
        Assert.False((await status.NextAsync(seconds: 15)).Live);
        await EventuallyAsync(() => Leftovers.OwnSocketsOn([nginx.RtmpPort]).Count == 0, "the push connection closed");
        await AssertPublicOfflineAsync(anonymous, id);
        await AssertPlaysAsync(anonymous, new Uri(server.BaseAddress, $"/live/{id}.flv?access_token={Uri.EscapeDataString(hostKey)}"));

        // The encoder dies while rehearsing: a rehearsal's end, not a drop.
        var dropped = await CounterAsync(server, "relay_ingest_end_total", $"channel=\"{id}\",reason=\"dropped\"");
        var rehearsalEnds = await CounterAsync(server, "relay_ingest_end_total", $"channel=\"{id}\",reason=\"rehearsal\"");
        publisher.Dispose();
        await EventuallyAsync(async () => await CounterAsync(server, "relay_ingest_end_total", $"channel=\"{id}\",reason=\"rehearsal\"") == rehearsalEnds + 1,
            "the rehearsal's end counted");
        Assert.Equal(dropped, await CounterAsync(server, "relay_ingest_end_total", $"channel=\"{id}\",reason=\"dropped\""));
        Assert.DoesNotContain(hostKey, server.Logs.All);
        Assert.DoesNotContain(streamKey, server.Logs.All);
    }

    [Fact]
    public async Task A_bandwidth_test_key_rehearses_that_publish_only_and_each_end_is_counted_by_reason()
    {
        FfmpegAvailability.SkipIfMissing();
        await using var nginx = await NginxPeer.StartAsync();
        await using var server = await RelayTestServer.StartAsync();
        using var admin = server.AdminClient();
        var (id, streamKey, hostKey) = await CreateChannelWithSinkAsync(server, admin, "bandwidth-test", nginx.RtmpPort, "bwtest-push-key");
        using var anonymous = server.Client();

        // OBS's bandwidth test publishes KEY?bandwidthtest: accepted, previewed, nothing else.
        using (var test = FfmpegPublisher.Start($"rtmp://127.0.0.1:{server.RtmpPort}/live/{streamKey}?bandwidthtest", seconds: 60))
        {
            var channel = await WaitForChannelAsync(admin, id, HasIngest, "the test publish's ingest shows");
            Assert.False(channel.GetProperty("live").GetBoolean());
            Assert.False(channel.GetProperty("rehearsal").GetBoolean());
            await AssertPlaysAsync(anonymous, new Uri(server.BaseAddress, $"/live/{id}.flv?access_token={Uri.EscapeDataString(hostKey)}"));
            await AssertPublicOfflineAsync(anonymous, id);
            Assert.Empty(Leftovers.OwnSocketsOn([nginx.RtmpPort]));
            Assert.Equal("idle", await DestinationStateAsync(admin, id));
            Assert.Empty(Recordings(server, id));
            Assert.Equal(1, await CounterAsync(server, "relay_ingest_rehearsals_total", $"channel=\"{id}\""));
        }
        await EventuallyAsync(async () => await CounterAsync(server, "relay_ingest_end_total", $"channel=\"{id}\",reason=\"rehearsal\"") == 1, "the test publish's end");
        await WaitForChannelAsync(admin, id, c => !HasIngest(c), "offline after the test");

        // The same key without the suffix is the show: pushed, public; ffmpeg ending its input unpublishes cleanly.
        using (var show = FfmpegPublisher.Start($"rtmp://127.0.0.1:{server.RtmpPort}/live/{streamKey}", seconds: 8))
        {
            await WaitForChannelAsync(admin, id, c => c.GetProperty("live").GetBoolean(), "the show is live");
            await WaitForDestinationAsync(admin, id, "live");
            Assert.True(await show.WaitForExitAsync(TimeSpan.FromSeconds(40)), "the 8 s show did not end");
        }
        await EventuallyAsync(async () => await CounterAsync(server, "relay_ingest_end_total", $"channel=\"{id}\",reason=\"unpublish\"") == 1, "the clean end");

        // Killed mid-show: a drop, the one reason that pages.
        using (var crash = FfmpegPublisher.Start($"rtmp://127.0.0.1:{server.RtmpPort}/live/{streamKey}", seconds: 60))
        {
            await WaitForChannelAsync(admin, id, c => c.GetProperty("live").GetBoolean(), "live again");
        }
        await EventuallyAsync(async () => await CounterAsync(server, "relay_ingest_end_total", $"channel=\"{id}\",reason=\"dropped\"") == 1, "the drop");

        // Rotated away by the host: the relay ended it.
        using (var rotated = FfmpegPublisher.Start($"rtmp://127.0.0.1:{server.RtmpPort}/live/{streamKey}", seconds: 60))
        {
            await WaitForChannelAsync(admin, id, c => c.GetProperty("live").GetBoolean(), "live a third time");
            using var rotate = await admin.PostAsync($"/api/v1/channels/{id}/stream-key/rotate", null, Ct);
            Assert.Equal(HttpStatusCode.OK, rotate.StatusCode);
            Assert.True(await rotated.WaitForExitAsync(TimeSpan.FromSeconds(15)), "rotation did not cut the publisher");
        }
        await EventuallyAsync(async () => await CounterAsync(server, "relay_ingest_end_total", $"channel=\"{id}\",reason=\"refused\"") == 1, "the relay's end");
        Assert.Equal(1, await CounterAsync(server, "relay_ingest_end_total", $"channel=\"{id}\",reason=\"rehearsal\""));
        Assert.Equal(1, await CounterAsync(server, "relay_ingest_end_total", $"channel=\"{id}\",reason=\"unpublish\""));
        Assert.Equal(1, await CounterAsync(server, "relay_ingest_end_total", $"channel=\"{id}\",reason=\"dropped\""));
    }

    private static async Task<(string Id, string StreamKey, string HostKey)> CreateChannelWithSinkAsync(
        RelayTestServer server, HttpClient admin, string id, int sinkPort, string sinkKey)
    {
        using var created = await admin.PostAsync("/api/v1/channels", RelayServerTest.JsonBody($$"""{"id":"{{id}}","title":"Rehearsal {{id}}"}"""), Ct);
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var body = JsonDocument.Parse(await created.Content.ReadAsStringAsync(Ct)).RootElement;
        using var sink = await admin.PostAsync($"/api/v1/channels/{id}/destinations", RelayServerTest.JsonBody(
            $$"""{"id":"sink","name":"nginx sink","platform":"custom","url":"rtmp://127.0.0.1:{{sinkPort}}/live","streamKey":"{{sinkKey}}"}"""), Ct);
        Assert.Equal(HttpStatusCode.Created, sink.StatusCode);
        return (id, body.GetProperty("streamKey").GetString()!, body.GetProperty("hostKey").GetString()!);
    }

    /// <summary>Real FLV for a few seconds: a video keyframe and audio, parsed by the production reader.</summary>
    private static async Task AssertPlaysAsync(HttpClient client, Uri url)
    {
        var viewer = await FlvHttpReader.ReadAsync(client, url, TimeSpan.FromSeconds(4), Ct);
        Assert.Contains(viewer.Tags, t => t.Tag.IsVideo && t.Tag.IsKeyframe);
        Assert.Contains(viewer.Tags, t => t.Tag.IsAudio);
    }

    private static async Task AssertPublicOfflineAsync(HttpClient anonymous, string id)
    {
        using var flv = await anonymous.GetAsync($"/live/{id}.flv", HttpCompletionOption.ResponseHeadersRead, Ct);
        Assert.Equal(HttpStatusCode.NotFound, flv.StatusCode);
        using var hls = await anonymous.GetAsync($"/live/{id}/index.m3u8", Ct);
        Assert.Equal(HttpStatusCode.NotFound, hls.StatusCode);
    }

    private static bool HasIngest(JsonElement channel) =>
        channel.TryGetProperty("ingest", out var ingest) && ingest.ValueKind == JsonValueKind.Object;

    private static string[] Recordings(RelayTestServer server, string id)
    {
        var directory = Path.Combine(server.DataDir, "recordings", id);
        return Directory.Exists(directory) ? Directory.GetFiles(directory, "*.flv") : [];
    }

    private static async Task<string?> DestinationStateAsync(HttpClient admin, string id)
    {
        var list = JsonDocument.Parse(await admin.GetStringAsync($"/api/v1/channels/{id}/destinations", Ct)).RootElement;
        return list.EnumerateArray().Single().GetProperty("state").GetString();
    }

    private static async Task WaitForDestinationAsync(HttpClient admin, string id, string state) =>
        await EventuallyAsync(async () => await DestinationStateAsync(admin, id) == state, $"destination {state}");

    private static async Task<JsonElement> WaitForChannelAsync(HttpClient admin, string id, Func<JsonElement, bool> condition, string what)
    {
        JsonElement last = default;
        await EventuallyAsync(async () =>
        {
            last = JsonDocument.Parse(await admin.GetStringAsync($"/api/v1/channels/{id}", Ct)).RootElement;
            return condition(last);
        }, what);
        return last;
    }

    /// <summary>A series' value as /metrics serves it (0 when it is not exported).</summary>
    private static async Task<double> CounterAsync(RelayTestServer server, string name, string labels)
    {
        using var client = server.Client();
        var text = await client.GetStringAsync("/metrics", Ct);
        var match = Regex.Match(text, $@"^{name}\{{{Regex.Escape(labels)}\}} (\S+)$", RegexOptions.Multiline);
        return match.Success ? double.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture) : 0;
    }

    private static Task EventuallyAsync(Func<bool> condition, string what) => EventuallyAsync(() => Task.FromResult(condition()), what);

    // Generous: two cores shared with other builds; the condition is polled, never slept on.
    private static async Task EventuallyAsync(Func<Task<bool>> condition, string what, double seconds = 30)
    {
        var deadline = DateTime.UtcNow.AddSeconds(seconds);
        while (!await condition())
        {
            Assert.True(DateTime.UtcNow < deadline, $"not within {seconds} s: {what}");
            await Task.Delay(100, Ct);
        }
    }
}
