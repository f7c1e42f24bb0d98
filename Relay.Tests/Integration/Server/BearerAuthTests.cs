using System.Net;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Relay.Chat.Orders;
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
        { "POST", "/api/v1/orders/o1/redeliver", null },
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

    [Fact]
    public async Task The_order_API_key_is_a_credential_for_the_order_API_only()
    {
        var ct = TestContext.Current.CancellationToken;
        var key = Server.App.Services.GetRequiredService<OrderEndpoint>().ApiKey;
        using var orderApi = Server.Client(key);
        foreach (var path in new[] { "/api/v1/channels", "/api/v1/channels/demo", "/api/v1/channels/demo/orders" })
        {
            using var refused = await orderApi.GetAsync(path, ct);
            Assert.True(HttpStatusCode.Forbidden == refused.StatusCode, $"GET {path} with the order API's key answered {(int)refused.StatusCode}");
        }
        using var redeliver = await orderApi.PostAsync("/api/v1/orders/o1/redeliver", null, ct);
        Assert.Equal(HttpStatusCode.Forbidden, redeliver.StatusCode);
        using var list = await orderApi.GetAsync("/api/v1/orders?channel=demo", ct);
        Assert.Equal(HttpStatusCode.OK, list.StatusCode);
    }

    [Fact]
    public async Task A_list_without_its_channel_is_400_naming_it_before_any_token_is_asked_for()
    {
        var ct = TestContext.Current.CancellationToken;
        using var anonymous = Server.Client();
        using var response = await anonymous.GetAsync("/api/v1/orders", ct);
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("\"channel\"", await response.Content.ReadAsStringAsync(ct), StringComparison.Ordinal);
    }

    /// <summary>An endpoint added without a policy would be open to anyone: only the public ones may be.</summary>
    [Fact]
    public void Every_api_route_but_the_public_ones_requires_a_policy()
    {
        // A draw's result is public on purpose: anyone may recompute its winners (contract v2, scripts/verify-draw.py).
        string[] open = ["/api/v1/platforms", "/api/v1/guests", "/api/v1/channels/{id}/draws/{drawId}"];
        var unguarded = Server.App.Services.GetRequiredService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>()
            .Where(e => e.RoutePattern.RawText is { } raw && (raw.StartsWith("/api/", StringComparison.Ordinal) || raw.StartsWith("/recordings/", StringComparison.Ordinal)))
            .Where(e => e.Metadata.GetMetadata<IAuthorizeData>() is not { Policy.Length: > 0 } && !open.Contains(e.RoutePattern.RawText))
            .Select(e => e.DisplayName)
            .ToList();
        Assert.Empty(unguarded);
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
