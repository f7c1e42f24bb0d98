using System.Net;
using System.Text.Json;
using Relay.Tests.Common;
using Relay.Tests.Common.Media;
using Relay.Tests.Common.Hosts;
using Relay.Tests.Common.Peers;
using Relay.Tests.Integration.Ingest;

namespace Relay.Tests.Integration.Server;

/// <summary>
/// Destinations managed through the REST API act on the live stream: a destination added to a
/// channel pushes to a real RTMP server (nginx-rtmp) when the channel goes live, the API shows
/// its state, a disable stops it, and deleting the live channel ends publisher and pushes.
/// </summary>
[Collection(RealFfmpegCollection.Name)]
public sealed class DestinationsEndToEndTests
{
    [Fact]
    public async Task A_destination_added_through_the_api_receives_the_channel_and_follows_edits_and_deletion()
    {
        FfmpegAvailability.SkipIfMissing();
        var ct = TestContext.Current.CancellationToken;
        await using var nginx = await NginxPeer.StartAsync();
        await using var server = await RelayTestServer.StartAsync();
        using var admin = server.AdminClient();
        var demo = server.Channels.Find("demo")!;

        var created = await admin.PostAsync("/api/v1/channels/demo/destinations", RelayServerTest.JsonBody(
            $$"""{"id":"sink","name":"nginx sink","platform":"custom","url":"rtmp://127.0.0.1:{{nginx.RtmpPort}}/live","streamKey":"e2e-push-key"}"""), ct);
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        Assert.Equal("idle", await StateAsync(admin, ct));

        using var publisher = FfmpegPublisher.Start($"rtmp://127.0.0.1:{server.RtmpPort}/live/{demo.StreamKey}", seconds: 40);
        await WaitForStateAsync(admin, "live", TimeSpan.FromSeconds(15), ct);

        var probe = await GatewayPublishTests.FfprobeAsync(new Uri($"rtmp://127.0.0.1:{nginx.RtmpPort}/live/e2e-push-key"));
        var codecs = probe.GetProperty("streams").EnumerateArray().Select(s => s.GetProperty("codec_name").GetString()).ToList();
        Assert.Contains("h264", codecs);
        Assert.Contains("aac", codecs);

        var disabled = await admin.PatchAsync("/api/v1/channels/demo/destinations/sink", RelayServerTest.JsonBody("""{"enabled":false}"""), ct);
        Assert.Equal(HttpStatusCode.OK, disabled.StatusCode);
        Assert.Equal("disabled", await StateAsync(admin, ct));
        var enabled = await admin.PatchAsync("/api/v1/channels/demo/destinations/sink", RelayServerTest.JsonBody("""{"enabled":true}"""), ct);
        Assert.Equal(HttpStatusCode.OK, enabled.StatusCode);
        await WaitForStateAsync(admin, "live", TimeSpan.FromSeconds(15), ct);

        Assert.Equal(HttpStatusCode.NoContent, (await admin.DeleteAsync("/api/v1/channels/demo", ct)).StatusCode);
        Assert.True(await publisher.WaitForExitAsync(TimeSpan.FromSeconds(10)), "deleting the live channel did not cut its publisher");
        await WaitUntilAsync(() => Leftovers.OwnSocketsOn([nginx.RtmpPort]).Count == 0, TimeSpan.FromSeconds(10), ct);
        Assert.Empty(Leftovers.OwnSocketsOn([nginx.RtmpPort]));
        Assert.DoesNotContain("e2e-push-key", server.Logs.All);
    }

    private static async Task<string?> StateAsync(HttpClient admin, CancellationToken ct)
    {
        var list = JsonDocument.Parse(await admin.GetStringAsync("/api/v1/channels/demo/destinations", ct)).RootElement;
        return list.EnumerateArray().Single().GetProperty("state").GetString();
    }

    private static async Task WaitForStateAsync(HttpClient admin, string state, TimeSpan timeout, CancellationToken ct)
    {
        string? last = null;
        var deadline = DateTime.UtcNow + timeout;
        while (DateTime.UtcNow < deadline)
        {
            last = await StateAsync(admin, ct);
            if (last == state)
            {
                return;
            }
            await Task.Delay(100, ct);
        }
        Assert.Fail($"destination state stayed '{last}', expected '{state}' within {timeout}");
    }

    private static async Task WaitUntilAsync(Func<bool> condition, TimeSpan timeout, CancellationToken ct)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (!condition() && DateTime.UtcNow < deadline)
        {
            await Task.Delay(100, ct);
        }
    }
}
