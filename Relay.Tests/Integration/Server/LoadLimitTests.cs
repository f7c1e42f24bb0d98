using System.Net;
using System.Text.Json;
using Microsoft.AspNetCore.SignalR.Client;
using Relay.Chat.Contracts;
using Relay.Ingest.Net;
using Relay.Tests.Common;
using Relay.Tests.Common.Media;
using Relay.Tests.Common.Hosts;

namespace Relay.Tests.Integration.Server;

/// <summary>
/// Per-address and per-node caps on what anonymous clients hold open or send (hub connections, HTTP-FLV viewers, REST),
/// through the real host: real Kestrel, real SignalR clients on both protocols, real ffmpeg publishing. Other client
/// addresses are other loopback addresses (127.0.0.2, ...), bound on the client socket.
/// </summary>
[Collection(RealFfmpegCollection.Name)]
public sealed class LoadLimitTests
{
    private static readonly IPAddress A = IPAddress.Parse("127.0.0.1");
    private static readonly IPAddress B = IPAddress.Parse("127.0.0.2");
    private static readonly IPAddress C = IPAddress.Parse("127.0.0.3");

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Theory]
    [InlineData("json")]
    [InlineData("messagepack")]
    public async Task The_hub_connection_past_the_per_address_cap_is_refused_while_another_address_connects_and_a_leaving_one_frees_its_slot(string protocol)
    {
        await using var server = await RelayTestServer.StartAsync("--Relay:Limits:HubConnectionsPerIp=3");
        var hubUrl = new Uri(server.BaseAddress, "/hubs/live");
        var refusedBefore = LoadLimitMetrics.Refused.WithLabels(LoadLimitMetrics.HubPerIp).Value;
        var open = new List<HubConnection>();
        try
        {
            for (var i = 0; i < 3; i++)
            {
                var connection = FromAddress.Hub(hubUrl, A, protocol);
                open.Add(connection);
                await connection.StartAsync(Ct);
                await connection.InvokeAsync<JoinSnapshot>("Join", "demo", new JoinOptions { DisplayName = $"v{i}" }, Ct);
            }

            // The fourth from the same address: WebSocket, then SSE, then long polling, each refused.
            await using (var fourth = FromAddress.Hub(hubUrl, A, protocol))
            {
                await Assert.ThrowsAnyAsync<Exception>(() => fourth.StartAsync(Ct));
            }

            // What a refused transport request sees: 429, problem+json naming the limit, Retry-After.
            using (var http = FromAddress.Http(server.BaseAddress, A))
            using (var request = new HttpRequestMessage(HttpMethod.Get, "/hubs/live?id=x"))
            {
                request.Headers.Accept.ParseAdd("text/event-stream");
                using var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, Ct);
                await AssertTooManyAsync(response, "HubConnectionsPerIp");
            }

            // Every transport the client tried (MessagePack is binary: no SSE) plus the raw request above.
            Assert.True(LoadLimitMetrics.Refused.WithLabels(LoadLimitMetrics.HubPerIp).Value >= refusedBefore + 3);

            // Another address is not affected.
            await using (var other = FromAddress.Hub(hubUrl, B, protocol))
            {
                await other.StartAsync(Ct);
                var snapshot = await other.InvokeAsync<JoinSnapshot>("Join", "demo", new JoinOptions { DisplayName = "other" }, Ct);
                Assert.Equal("demo", snapshot.ChannelId);
            }

            // The cap counts open connections: when one closes, its slot is free again.
            await open[0].DisposeAsync();
            open.RemoveAt(0);
            var again = FromAddress.Hub(hubUrl, A, protocol);
            open.Add(again);
            await StartWithinAsync(again, TimeSpan.FromSeconds(10));
            await again.InvokeAsync<JoinSnapshot>("Join", "demo", new JoinOptions { DisplayName = "again" }, Ct);
        }
        finally
        {
            foreach (var connection in open)
            {
                await connection.DisposeAsync();
            }
        }
    }

    [Fact]
    public async Task Hub_connections_past_the_node_cap_are_refused_whatever_the_address()
    {
        await using var server = await RelayTestServer.StartAsync("--Relay:Limits:HubConnectionsPerIp=2", "--Relay:Limits:HubConnections=3");
        var hubUrl = new Uri(server.BaseAddress, "/hubs/live");
        var refusedBefore = LoadLimitMetrics.Refused.WithLabels(LoadLimitMetrics.HubTotal).Value;
        await using var a1 = FromAddress.Hub(hubUrl, A, "json");
        await using var a2 = FromAddress.Hub(hubUrl, A, "json");
        await using var b1 = FromAddress.Hub(hubUrl, B, "messagepack");
        await a1.StartAsync(Ct);
        await a2.StartAsync(Ct);
        await b1.StartAsync(Ct);
        await using var c1 = FromAddress.Hub(hubUrl, C, "json");
        await Assert.ThrowsAnyAsync<Exception>(() => c1.StartAsync(Ct));
        Assert.True(LoadLimitMetrics.Refused.WithLabels(LoadLimitMetrics.HubTotal).Value > refusedBefore);
    }

    [Fact]
    public async Task Http_flv_viewers_are_capped_per_address_and_per_channel()
    {
        FfmpegAvailability.SkipIfMissing();
        await using var server = await RelayTestServer.StartAsync(
            "--Relay:Limits:FlvViewersPerIp=2", "--Relay:Playback:MaxViewersPerChannel=3", "--Relay:Hls:Enabled=false", "--Relay:Recording:Enabled=false");
        var demo = server.Channels.Find("demo")!;
        using var publisher = FfmpegPublisher.Start($"rtmp://127.0.0.1:{server.RtmpPort}/live/{demo.StreamKey}", seconds: 60);
        using var fromA = FromAddress.Http(server.BaseAddress, A);
        using var fromB = FromAddress.Http(server.BaseAddress, B);
        using var fromC = FromAddress.Http(server.BaseAddress, C);
        using (var admin = server.AdminClient())
        {
            await WaitForLiveAsync(admin);
        }

        var perIpBefore = LoadLimitMetrics.Refused.WithLabels(LoadLimitMetrics.FlvPerIp).Value;
        var perChannelBefore = LoadLimitMetrics.Refused.WithLabels(LoadLimitMetrics.FlvPerChannel).Value;

        var viewers = new List<HttpResponseMessage>();
        try
        {
            viewers.Add(await WatchAsync(fromA));
            viewers.Add(await WatchAsync(fromA));
            using (var third = await fromA.GetAsync("/live/demo.flv", HttpCompletionOption.ResponseHeadersRead, Ct))
            {
                await AssertTooManyAsync(third, "FlvViewersPerIp");
            }

            Assert.True(LoadLimitMetrics.Refused.WithLabels(LoadLimitMetrics.FlvPerIp).Value > perIpBefore);

            // Another address gets the channel's third and last place.
            viewers.Add(await WatchAsync(fromB));
            using (var fourth = await fromC.GetAsync("/live/demo.flv", HttpCompletionOption.ResponseHeadersRead, Ct))
            {
                await AssertTooManyAsync(fourth, "MaxViewersPerChannel");
            }

            Assert.True(LoadLimitMetrics.Refused.WithLabels(LoadLimitMetrics.FlvPerChannel).Value > perChannelBefore);

            // A viewer leaving frees both its address's place and the channel's.
            viewers[0].Dispose();
            viewers.RemoveAt(0);
            viewers.Add(await WatchWithinAsync(fromA, TimeSpan.FromSeconds(10)));
            Assert.False(publisher.HasExited);
        }
        finally
        {
            foreach (var viewer in viewers)
            {
                viewer.Dispose();
            }
        }
    }

    [Fact]
    public async Task Rest_requests_past_the_per_address_burst_get_429_with_retry_after_and_other_addresses_are_served()
    {
        await using var server = await RelayTestServer.StartAsync("--Relay:Limits:RestBurstPerIp=5", "--Relay:Limits:RestRequestsPerSecondPerIp=1");
        using var fromA = FromAddress.Http(server.BaseAddress, A, server.AdminToken);
        using var fromB = FromAddress.Http(server.BaseAddress, B, server.AdminToken);
        var before = LoadLimitMetrics.Refused.WithLabels(LoadLimitMetrics.RestPerIp).Value;
        for (var i = 0; i < 5; i++)
        {
            using var ok = await fromA.GetAsync("/api/v1/channels", Ct);
            Assert.Equal(HttpStatusCode.OK, ok.StatusCode);
        }

        using (var refused = await fromA.GetAsync("/api/v1/channels", Ct))
        {
            await AssertTooManyAsync(refused, "RestRequestsPerSecondPerIp");
        }

        Assert.True(LoadLimitMetrics.Refused.WithLabels(LoadLimitMetrics.RestPerIp).Value > before);
        using (var other = await fromB.GetAsync("/api/v1/channels", Ct))
        {
            Assert.Equal(HttpStatusCode.OK, other.StatusCode);
        }

        // Pages, health and metrics are not REST: still served to the limited address.
        using (var health = await fromA.GetAsync("/healthz", Ct))
        {
            Assert.Equal(HttpStatusCode.OK, health.StatusCode);
        }
    }

    [Fact]
    public async Task X_forwarded_for_names_the_client_only_when_the_peer_is_a_known_proxy()
    {
        // No proxy configured: the header is the client's own claim and is ignored, so rotating it gains nothing.
        await using (var direct = await RelayTestServer.StartAsync("--Relay:Limits:RestBurstPerIp=3", "--Relay:Limits:RestRequestsPerSecondPerIp=1"))
        {
            using var client = direct.AdminClient();
            var statuses = new List<HttpStatusCode>();
            for (var i = 0; i < 4; i++)
            {
                statuses.Add(await GetWithForwardedForAsync(client, $"203.0.113.{i + 1}"));
            }

            Assert.Equal([HttpStatusCode.OK, HttpStatusCode.OK, HttpStatusCode.OK, HttpStatusCode.TooManyRequests], statuses);
        }

        // Behind a known proxy (here: the test itself on 127.0.0.1) each forwarded client has its own budget.
        await using var proxied = await RelayTestServer.StartAsync("--Relay:Limits:RestBurstPerIp=3", "--Relay:Limits:RestRequestsPerSecondPerIp=1",
            "--Relay:ForwardedHeaders:KnownProxies:0=127.0.0.1");
        using var viaProxy = proxied.AdminClient();
        for (var i = 0; i < 3; i++)
        {
            Assert.Equal(HttpStatusCode.OK, await GetWithForwardedForAsync(viaProxy, "203.0.113.7"));
        }

        Assert.Equal(HttpStatusCode.TooManyRequests, await GetWithForwardedForAsync(viaProxy, "203.0.113.7"));
        Assert.Equal(HttpStatusCode.OK, await GetWithForwardedForAsync(viaProxy, "203.0.113.8"));
        // IPv6 clients are counted by /64: another address of the same /64 shares the budget.
        for (var i = 0; i < 3; i++)
        {
            Assert.Equal(HttpStatusCode.OK, await GetWithForwardedForAsync(viaProxy, $"2001:db8:1:2::{i + 1}"));
        }

        Assert.Equal(HttpStatusCode.TooManyRequests, await GetWithForwardedForAsync(viaProxy, "2001:db8:1:2:ffff::9"));
        Assert.Equal(HttpStatusCode.OK, await GetWithForwardedForAsync(viaProxy, "2001:db8:1:3::1"));
    }

    [Fact]
    public async Task Limits_are_validated_at_start()
    {
        var error = await Assert.ThrowsAnyAsync<Exception>(async () =>
        {
            await using var _ = await RelayTestServer.StartAsync("--Relay:Limits:HubConnectionsPerIp=0", "--Relay:ForwardedHeaders:KnownProxies:0=not-an-ip",
                "--Relay:Playback:MaxViewersPerChannel=0");
        });
        var text = error.ToString();
        TestContext.Current.TestOutputHelper?.WriteLine(text);
        Assert.Contains("Relay:Limits:HubConnectionsPerIp", text);
        Assert.Contains("Relay:ForwardedHeaders:KnownProxies:0", text);
        Assert.Contains("Relay:Playback:MaxViewersPerChannel", text);
    }

    private static async Task<HttpStatusCode> GetWithForwardedForAsync(HttpClient client, string forwardedFor)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "/api/v1/channels");
        request.Headers.Add("X-Forwarded-For", forwardedFor);
        using var response = await client.SendAsync(request, Ct);
        return response.StatusCode;
    }

    private static async Task AssertTooManyAsync(HttpResponseMessage response, string limitKey)
    {
        Assert.Equal(HttpStatusCode.TooManyRequests, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.True(response.Headers.RetryAfter?.Delta is { TotalSeconds: >= 1 }, "Retry-After in seconds");
        var problem = JsonDocument.Parse(await response.Content.ReadAsStringAsync(Ct)).RootElement;
        Assert.Equal(429, problem.GetProperty("status").GetInt32());
        Assert.Contains(limitKey, problem.GetProperty("detail").GetString());
    }

    private static async Task WaitForLiveAsync(HttpClient client)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(20);
        while (true)
        {
            var channel = JsonDocument.Parse(await client.GetStringAsync("/api/v1/channels/demo", Ct)).RootElement;
            if (channel.GetProperty("live").GetBoolean())
            {
                return;
            }

            Assert.True(DateTime.UtcNow < deadline, "the channel did not go live");
            await Task.Delay(200, Ct);
        }
    }

    private static async Task<HttpResponseMessage> WatchAsync(HttpClient client)
    {
        var response = await client.GetAsync("/live/demo.flv", HttpCompletionOption.ResponseHeadersRead, Ct);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        // The viewer really streams: the FLV header and the first tags arrive.
        var stream = await response.Content.ReadAsStreamAsync(Ct);
        var header = new byte[9];
        await stream.ReadExactlyAsync(header, Ct);
        Assert.Equal("FLV"u8.ToArray(), header[..3]);
        return response;
    }

    private static async Task<HttpResponseMessage> WatchWithinAsync(HttpClient client, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            var response = await client.GetAsync("/live/demo.flv", HttpCompletionOption.ResponseHeadersRead, Ct);
            if (response.StatusCode == HttpStatusCode.OK)
            {
                return response;
            }

            response.Dispose();
            Assert.True(DateTime.UtcNow < deadline, "the place of a viewer that left was not freed");
            await Task.Delay(100, Ct);
        }
    }

    private static async Task StartWithinAsync(HubConnection connection, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            try
            {
                await connection.StartAsync(Ct);
                return;
            }
            catch (Exception) when (DateTime.UtcNow < deadline)
            {
                await Task.Delay(100, Ct);
            }
        }
    }
}
