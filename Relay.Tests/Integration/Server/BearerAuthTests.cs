using System.Net;
using Relay.Tests.Common;
using Relay.Tests.Common.Hosts;

namespace Relay.Tests.Integration.Server;

/// <summary>
/// Contract v2: an unknown or invalid bearer token is 401 with <c>WWW-Authenticate: Bearer</c>, on every REST group;
/// a valid credential that may not do this (another channel's host key, a host key on an admin endpoint) stays 403.
/// Refused requests change nothing.
/// </summary>
public sealed class BearerAuthTests : RelayServerTest
{
    private const string DestinationBody = """{"name":"X","platform":"custom","url":"rtmp://live.example.com/app","streamKey":"k-123"}""";
    private const string LineupBody = """[{"sku":"X-1","title":"X","priceCents":100,"currency":"USD"}]""";
    private const string OrderBody = """{"orderId":"o1","channelId":"demo","sku":"X","quantity":1,"unitPriceCents":1,"currency":"USD","buyerId":"b","buyerName":"B","flashSale":false,"placedAt":"2026-12-06T00:00:00Z"}""";

    /// <summary>Every authenticated REST endpoint of every group, aimed at the demo channel.</summary>
    public static TheoryData<string, string, string?> Endpoints => new()
    {
        { "GET", "/api/v1/channels", null },
        { "POST", "/api/v1/channels", """{"title":"x"}""" },
        { "GET", "/api/v1/channels/demo", null },
        { "DELETE", "/api/v1/channels/demo", null },
        { "POST", "/api/v1/channels/demo/stream-key/rotate", null },
        { "GET", "/api/v1/channels/demo/stream-key", null },
        { "POST", "/api/v1/channels/demo/host-key/rotate", null },
        { "GET", "/api/v1/channels/demo/destinations", null },
        { "POST", "/api/v1/channels/demo/destinations", DestinationBody },
        { "GET", "/api/v1/channels/demo/lineup", null },
        { "PUT", "/api/v1/channels/demo/lineup", LineupBody },
        { "GET", "/api/v1/channels/demo/recordings", null },
        { "GET", "/recordings/demo/20260101-000000.flv", null },
        { "GET", "/api/v1/channels/demo/orders", null },
        { "GET", "/api/v1/orders?channel=demo", null },
        { "POST", "/api/v1/orders", OrderBody },
    };

    [Theory]
    [MemberData(nameof(Endpoints))]
    public async Task An_unknown_token_is_401_with_WWW_Authenticate_and_another_channels_host_key_is_403(string method, string path, string? body)
    {
        var ct = TestContext.Current.CancellationToken;
        using var admin = Server.AdminClient();
        var other = await ReadAsync(await admin.PostAsync("/api/v1/channels", Json("""{"title":"Other","id":"other"}"""), ct));
        var otherHostKey = other.GetProperty("hostKey").GetString()!;
        var before = Server.Channels.Find("demo")!;

        foreach (var token in new[] { null, "", "at_not-the-token-at-all", "hk_" + new string('x', 32), before.StreamKey })
        {
            using var response = await SendAsync(method, path, body, token, ct);
            Assert.True(HttpStatusCode.Unauthorized == response.StatusCode, $"{method} {path} with '{token}' answered {(int)response.StatusCode}");
            Assert.Equal("Bearer", Assert.Single(response.Headers.WwwAuthenticate).Scheme);
            Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        }

        using (var response = await SendAsync(method, path, body, otherHostKey, ct))
        {
            Assert.True(HttpStatusCode.Forbidden == response.StatusCode, $"{method} {path} with another channel's host key answered {(int)response.StatusCode}");
            Assert.Empty(response.Headers.WwwAuthenticate);
        }

        var after = Server.Channels.Find("demo")!;
        Assert.Equal(before.StreamKey, after.StreamKey);
        Assert.Equal(before.HostKey, after.HostKey);
        Assert.Equal(before.Lineup, after.Lineup);
        Assert.Equal(before.Destinations, after.Destinations);
    }

    [Fact]
    public async Task A_host_key_on_an_admin_endpoint_is_403_not_401()
    {
        var ct = TestContext.Current.CancellationToken;
        var demo = Server.Channels.Find("demo")!;
        using var host = Server.Client(demo.HostKey);
        using var create = await host.PostAsync("/api/v1/channels", Json("""{"title":"x"}"""), ct);
        Assert.Equal(HttpStatusCode.Forbidden, create.StatusCode);
        using var list = await host.GetAsync("/api/v1/channels", ct);
        Assert.Equal(HttpStatusCode.Forbidden, list.StatusCode);
        using var delete = await host.DeleteAsync("/api/v1/channels/demo", ct);
        Assert.Equal(HttpStatusCode.Forbidden, delete.StatusCode);
        Assert.NotNull(Server.Channels.Find("demo"));
    }

    private async Task<HttpResponseMessage> SendAsync(string method, string path, string? body, string? token, CancellationToken ct)
    {
        using var client = Server.Client();
        using var request = new HttpRequestMessage(new HttpMethod(method), path);
        if (body is not null)
        {
            request.Content = Json(body);
            request.Headers.Add("Idempotency-Key", "k1");
        }
        if (token is not null)
        {
            request.Headers.TryAddWithoutValidation("Authorization", "Bearer " + token);
        }
        return await client.SendAsync(request, ct);
    }
}
