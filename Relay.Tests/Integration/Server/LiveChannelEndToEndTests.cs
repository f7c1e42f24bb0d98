using System.Net;
using System.Text.Json;
using Microsoft.AspNetCore.SignalR.Client;
using Microsoft.Extensions.DependencyInjection;
using Relay.Chat.Contracts;
using Relay.Ingest.Streams;
using Relay.Tests.Common;
using Relay.Tests.Common.Media;
using Relay.Tests.Common.Hosts;
using Relay.Tests.Integration.Ingest;

namespace Relay.Tests.Integration.Server;

/// <summary>
/// The product path through the real host: OBS (here ffmpeg) publishes with the demo channel's
/// stream key, the API reports the source, HTTP-FLV plays it, the room hears "live", and a key
/// rotation cuts the publisher at once.
/// </summary>
[Collection(RealFfmpegCollection.Name)]
public sealed class LiveChannelEndToEndTests
{
    [Fact]
    public async Task Publish_with_the_channel_key_goes_live_everywhere_and_rotation_cuts_it()
    {
        FfmpegAvailability.SkipIfMissing();
        var ct = TestContext.Current.CancellationToken;
        await using var server = await RelayTestServer.StartAsync();
        var demo = server.Channels.Find("demo")!;
        using var admin = server.AdminClient();

        await using var room = new HubConnectionBuilder().WithUrl(new Uri(server.BaseAddress, "/hubs/live")).AddMessagePackProtocol().Build();
        var liveStates = new List<bool>();
        var wentLive = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var wentOffline = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        room.On<StatusEvent>("status", s =>
        {
            var live = s.Live;
            lock (liveStates)
            {
                liveStates.Add(live);
            }
            (live ? wentLive : wentOffline).TrySetResult();
        });
        await room.StartAsync(ct);
        var snapshot = await room.InvokeAsync<JoinSnapshot>("Join", "demo", new JoinOptions { DisplayName = "Watcher" }, ct);
        Assert.False(snapshot.Live);

        using var publisher = FfmpegPublisher.Start($"rtmp://127.0.0.1:{server.RtmpPort}/live/{demo.StreamKey}", seconds: 30);
        await wentLive.Task.WaitAsync(TimeSpan.FromSeconds(15), ct);

        JsonElement channel = default;
        for (var i = 0; i < 50; i++)
        {
            channel = JsonDocument.Parse(await admin.GetStringAsync("/api/v1/channels/demo", ct)).RootElement;
            if (channel.GetProperty("live").GetBoolean() && channel.GetProperty("ingest").GetProperty("keyframeIntervalSeconds").ValueKind == JsonValueKind.Number)
            {
                break;
            }
            await Task.Delay(200, ct);
        }
        var ingest = channel.GetProperty("ingest");
        Assert.Equal("h264", ingest.GetProperty("videoCodec").GetString()?.ToLowerInvariant());
        Assert.Equal("aac", ingest.GetProperty("audioCodec").GetString()?.ToLowerInvariant());
        Assert.Equal(640, ingest.GetProperty("width").GetInt32());
        Assert.Equal(360, ingest.GetProperty("height").GetInt32());
        Assert.InRange(ingest.GetProperty("keyframeIntervalSeconds").GetDouble(), 1.5, 2.5);

        var probe = await GatewayPublishTests.FfprobeAsync(new Uri(server.BaseAddress, "/live/demo.flv"));
        var codecs = probe.GetProperty("streams").EnumerateArray().Select(s => s.GetProperty("codec_name").GetString()).ToList();
        Assert.Contains("h264", codecs);
        Assert.Contains("aac", codecs);
        var firstVideo = probe.GetProperty("packets").EnumerateArray().First(p => p.GetProperty("codec_type").GetString() == "video");
        Assert.StartsWith("K", firstVideo.GetProperty("flags").GetString());

        var rotate = await admin.PostAsync("/api/v1/channels/demo/stream-key/rotate", null, ct);
        Assert.Equal(HttpStatusCode.OK, rotate.StatusCode);
        await wentOffline.Task.WaitAsync(TimeSpan.FromSeconds(10), ct);
        Assert.True(await publisher.WaitForExitAsync(TimeSpan.FromSeconds(10)), "the publisher was not cut by the rotation");
        Assert.False(JsonDocument.Parse(await admin.GetStringAsync("/api/v1/channels/demo", ct)).RootElement.GetProperty("live").GetBoolean());
        Assert.Equal(HttpStatusCode.NotFound, (await server.Client().GetAsync("/live/demo.flv", ct)).StatusCode);

        // The old key is refused from now on.
        using var stale = FfmpegPublisher.Start($"rtmp://127.0.0.1:{server.RtmpPort}/live/{demo.StreamKey}", seconds: 5);
        Assert.True(await stale.WaitForExitAsync(TimeSpan.FromSeconds(10)));
        Assert.NotEqual(0, stale.ExitCode);
        Assert.False(server.App.Services.GetRequiredService<Relay.Ingest.Streams.LiveChannelRegistry>().IsLive("demo"));
        Assert.DoesNotContain(demo.StreamKey, server.Logs.All);
    }
}
