using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.SignalR.Client;
using Relay.Chat.Contracts;
using Relay.Tests.Common;
using Relay.Tests.Common.Chat;
using Relay.Tests.Common.Hosts;
using Relay.Tests.Common.Media;
using Relay.Tests.Common.Peers;
using Relay.Tests.Integration.Ingest;

namespace Relay.Tests.EndToEnd.Native;

/// <summary>
/// The executable Relay ships (NativeAOT, what <c>./run.sh</c> and the image run), driven as an operator and a viewer
/// would: a publish fanned out to a real nginx-rtmp and played over HTTP-FLV, the live room over both hub protocols
/// down to the built-in order API, and the REST answers compared with the JIT build's byte for byte. Everything else
/// in the suite runs the same code under the JIT; these tests are what catches code that only the native build
/// breaks (reflection, dynamic code, trimmed members).
/// </summary>
[Collection(RealFfmpegCollection.Name)]
public sealed class NativeRelayTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task The_native_build_relays_a_publish_to_a_destination_and_plays_it_over_HTTP_FLV()
    {
        FfmpegAvailability.SkipIfMissing();
        await using var nginx = await NginxPeer.StartAsync();
        using var dataDir = new TempDir("relay-native-media");
        int httpPort = FreePort.Next(), rtmpPort = FreePort.Next();
        await using var relay = await ChildRelay.StartNativeAsync(dataDir.Path, httpPort, rtmpPort);
        using var admin = ChildRelay.Admin(httpPort);

        var created = await admin.PostAsync("/api/v1/channels/demo/destinations", RelayServerTest.JsonBody(
            $$"""{"id":"sink","name":"nginx sink","platform":"custom","url":"rtmp://127.0.0.1:{{nginx.RtmpPort}}/live","streamKey":"native-push-key"}"""), Ct);
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var refused = await admin.PostAsync("/api/v1/channels/demo/destinations", RelayServerTest.JsonBody(
            """{"name":"bad","platform":"custom","url":"http://example.com/live","streamKey":"k"}"""), Ct);
        Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
        Assert.Equal("application/problem+json", refused.Content.Headers.ContentType?.MediaType);
        Assert.Contains("url", await refused.Content.ReadAsStringAsync(Ct));

        var key = JsonDocument.Parse(await admin.GetStringAsync("/api/v1/channels/demo/stream-key", Ct)).RootElement.GetProperty("streamKey").GetString();
        using var publisher = FfmpegPublisher.Start($"rtmp://127.0.0.1:{rtmpPort}/live/{key}", seconds: 60);
        await WaitUntilAsync(async () => (await DestinationStateAsync(admin)) == "live", TimeSpan.FromSeconds(30),
            () => $"destination never went live; publisher: {publisher.Stderr}");

        var pushed = await GatewayPublishTests.FfprobeAsync(new Uri($"rtmp://127.0.0.1:{nginx.RtmpPort}/live/native-push-key"));
        Assert.Equal(["aac", "h264"], Codecs(pushed));
        var played = await GatewayPublishTests.FfprobeAsync(new Uri($"http://127.0.0.1:{httpPort}/live/demo.flv"));
        Assert.Equal(["aac", "h264"], Codecs(played));

        var channel = JsonDocument.Parse(await admin.GetStringAsync("/api/v1/channels/demo", Ct)).RootElement;
        Assert.True(channel.GetProperty("ingest").GetProperty("live").GetBoolean());
        Assert.Equal("h264", channel.GetProperty("ingest").GetProperty("videoCodec").GetString());
        Assert.DoesNotContain("native-push-key", relay.Output);
    }

    [Fact]
    public async Task The_native_build_runs_the_live_room_over_JSON_and_MessagePack_down_to_the_order_API()
    {
        using var dataDir = new TempDir("relay-native-room");
        int httpPort = FreePort.Next(), rtmpPort = FreePort.Next();
        await using var relay = await ChildRelay.StartNativeAsync(dataDir.Path, httpPort, rtmpPort);
        var hub = new Uri($"http://127.0.0.1:{httpPort}/hubs/live");

        await using var host = Hub.Build(new Uri(hub + "?access_token=" + ChildRelay.AdminToken), "json");
        await host.StartAsync(Ct);
        var messages = new EventInbox<ChatMessageView>(host, "message");
        var snapshot = await host.InvokeAsync<JoinSnapshot>("Join", "demo", new JoinOptions(), Ct);
        var sku = snapshot.Lineup[0].Sku;
        await host.InvokeAsync("StartFlashSale", new FlashSaleRequest { Sku = sku, PriceCents = 990, Quantity = 5, DurationSeconds = 300 }, Ct);

        using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{httpPort}") };
        var minted = await (await http.PostAsync("/api/v1/guests", null, Ct)).Content.ReadFromJsonAsync<JsonElement>(Ct);
        await using var viewer = Hub.Build(new Uri(hub + "?access_token=" + minted.GetProperty("guestToken").GetString()), "messagepack");
        await viewer.StartAsync(Ct);
        var orders = new EventInbox<OrderEvent>(viewer, "order");
        var joined = await viewer.InvokeAsync<JoinSnapshot>("Join", "demo", new JoinOptions { DisplayName = "Native Viewer" }, Ct);
        Assert.Equal(sku, joined.FlashSale?.Sku);

        await viewer.InvokeAsync("SendMessage", "hello from messagepack", Ct);
        var seen = await messages.NextMatchingAsync(m => m.Text == "hello from messagepack", 15);
        Assert.Equal("Native Viewer", seen.DisplayName);

        var result = await viewer.InvokeAsync<PurchaseResult>("Purchase", new PurchaseRequest { Sku = sku, Quantity = 1, IdempotencyKey = "native-1" }, Ct);
        Assert.Equal("reserved", result.Status);
        var confirmed = await orders.NextMatchingAsync(o => o.OrderId == result.OrderId && o.Status == "confirmed", 30);
        Assert.Equal(result.OrderId, confirmed.OrderId);

        using var admin = ChildRelay.Admin(httpPort);
        var received = await admin.GetFromJsonAsync<List<JsonElement>>("/api/v1/orders?channel=demo", Ct);
        Assert.Equal([result.OrderId], received!.Select(o => o.GetProperty("orderId").GetString()));
    }

    [Fact]
    public async Task The_native_build_answers_the_REST_API_exactly_as_the_JIT_build()
    {
        using var nativeDir = new TempDir("relay-native-rest");
        using var jitDir = new TempDir("relay-jit-rest");
        int nativeHttp = FreePort.Next(), jitHttp = FreePort.Next(), nativeRtmp = FreePort.Next(), jitRtmp = FreePort.Next();
        await using var native = await ChildRelay.StartNativeAsync(nativeDir.Path, nativeHttp, nativeRtmp);
        await using var jit = await ChildRelay.StartAsync(jitDir.Path, jitHttp, jitRtmp);
        using var nativeAdmin = ChildRelay.Admin(nativeHttp);
        using var jitAdmin = ChildRelay.Admin(jitHttp);

        // The same calls on two fresh installations; what is random per installation (keys, ids, times, trace ids,
        // the ports in addresses) is blanked before the comparison.
        (HttpMethod Method, string Path, string? Body)[] calls =
        [
            (HttpMethod.Get, "/api/v1/platforms", null),
            (HttpMethod.Get, "/api/v1/channels/demo", null),
            (HttpMethod.Post, "/api/v1/channels", """{"id":"spring-show","title":"Spring show"}"""),
            (HttpMethod.Post, "/api/v1/channels", """{"id":"Not An Id"}"""),
            (HttpMethod.Post, "/api/v1/channels/demo/destinations", """{"id":"yt","name":"YouTube","platform":"youtube","streamKey":"abc-def"}"""),
            (HttpMethod.Get, "/api/v1/channels/demo/destinations", null),
            (HttpMethod.Patch, "/api/v1/channels/demo/destinations/yt", """{"enabled":"yes"}"""),
            (HttpMethod.Get, "/api/v1/channels/demo/lineup", null),
            (HttpMethod.Get, "/api/v1/channels/demo/orders?limit=1", null),
            (HttpMethod.Get, "/api/v1/channels/nope", null),
            (HttpMethod.Get, "/openapi/v1.json", null),
            (HttpMethod.Get, "/readyz", null),
        ];
        foreach (var (method, path, body) in calls)
        {
            var (nativeStatus, nativeJson) = await CallAsync(nativeAdmin, method, path, body, nativeHttp, nativeRtmp);
            var (jitStatus, jitJson) = await CallAsync(jitAdmin, method, path, body, jitHttp, jitRtmp);
            Assert.True(jitStatus == nativeStatus, $"{method} {path}: native {nativeStatus}, JIT {jitStatus}");
            Assert.True(jitJson == nativeJson, $"{method} {path} differs:\nnative {nativeJson}\nJIT    {jitJson}");
        }
    }

    private static async Task<(HttpStatusCode, string)> CallAsync(HttpClient client, HttpMethod method, string path, string? body, int httpPort, int rtmpPort)
    {
        using var request = new HttpRequestMessage(method, path);
        if (body is not null) request.Content = RelayServerTest.JsonBody(body);
        using var response = await client.SendAsync(request, Ct);
        var text = (await response.Content.ReadAsStringAsync(Ct)).Replace($"127.0.0.1:{httpPort}", "127.0.0.1:HTTP").Replace($"127.0.0.1:{rtmpPort}", "127.0.0.1:RTMP");
        return (response.StatusCode, text.Length == 0 ? "" : Blank(JsonNode.Parse(text))?.ToJsonString() ?? "null");
    }

    private static readonly HashSet<string> Volatile = ["streamKey", "backupStreamKey", "hostKey", "traceId", "createdAt", "updatedAt", "startedAt", "since", "totalDuration", "duration", "durationMs", "at", "checkedAt"];

    private static JsonNode? Blank(JsonNode? node)
    {
        switch (node)
        {
            case JsonObject obj:
                foreach (var name in obj.Select(p => p.Key).ToList())
                {
                    if (Volatile.Contains(name) && obj[name] is JsonValue) obj[name] = "*";
                    else Blank(obj[name]);
                }
                break;
            case JsonArray array:
                foreach (var item in array) Blank(item);
                break;
        }

        return node;
    }

    private static List<string?> Codecs(JsonElement probe) =>
        probe.GetProperty("streams").EnumerateArray().Select(s => s.GetProperty("codec_name").GetString()).Order().ToList();

    private static async Task<string?> DestinationStateAsync(HttpClient admin)
    {
        var list = JsonDocument.Parse(await admin.GetStringAsync("/api/v1/channels/demo/destinations", Ct)).RootElement;
        return list.EnumerateArray().Single().GetProperty("state").GetString();
    }

    private static async Task WaitUntilAsync(Func<Task<bool>> condition, TimeSpan timeout, Func<string> failure)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (!await condition())
        {
            Assert.True(DateTime.UtcNow < deadline, failure());
            await Task.Delay(200, Ct);
        }
    }
}
