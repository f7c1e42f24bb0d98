using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using Microsoft.AspNetCore.Http.Connections;
using Microsoft.AspNetCore.SignalR.Client;
using Relay.Chat.Contracts;
using Relay.Tests.Common.Chat;
using Relay.Tests.Common.Hosts;
using Relay.Tests.Common.Media;
using Relay.Tests.Common.Peers;
using Relay.Tests.Integration.Cluster;

namespace Relay.Tests.EndToEnd.Cluster;

/// <summary>
/// The committed load balancer (<c>config/compose/nginx-cluster.conf</c>, addresses substituted) in front of two real
/// nodes: an encoder publishes RTMP through it and goes live on one node, the REST API answers through it (the nodes
/// list with that node's live channel), and a hub client negotiates and holds its WebSocket through it (sticky).
/// </summary>
[Collection(ClusterCollection.Name)]
public sealed class LoadBalancerTests(ITestOutputHelper output)
{
    private const string Channel = "lbshow";
    private const string StreamKey = "lb-show-stream-key-0123456789";

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Rtmp_api_and_hub_go_through_the_committed_nginx_load_balancer_to_two_nodes()
    {
        FfmpegAvailability.SkipIfMissing();
        ClusterLoadBalancer.SkipIfMissing();
        // The same channel and key on every node (declared in configuration, as an operator would in a ConfigMap).
        await using var bed = await ClusterTestBed.StartAsync(nodes: 2,
            $"--Relay:Channels:0:Id={Channel}", "--Relay:Channels:0:Title=Through the balancer", $"--Relay:Channels:0:StreamKey={StreamKey}");
        await using var balancer = await ClusterLoadBalancer.StartAsync([.. bed.Nodes.Select(n => (n.HttpPort, n.RtmpPort))]);
        using var admin = new HttpClient { BaseAddress = balancer.BaseUrl, Timeout = TimeSpan.FromSeconds(10) };
        admin.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", ChildRelay.AdminToken);

        // The API through the balancer: both nodes, ready, from whichever node answers.
        Assert.Equal(HttpStatusCode.OK, (await admin.GetAsync("/readyz", Ct)).StatusCode);
        var nodes = await NodeRegistryTests.NodesAsync(admin, want: 2);
        Assert.Equal(bed.Nodes.Select(n => n.Id), nodes.Select(n => n.GetProperty("id").GetString()));

        // RTMP through the balancer: the encoder lands on one node, which takes the channel live.
        using var publisher = FfmpegPublisher.Start($"rtmp://127.0.0.1:{balancer.RtmpPort}/live/{StreamKey}", seconds: 60);
        // The registry, read through the balancer, names the node that took it (its next heartbeat, a third of the lease).
        var clock = Stopwatch.StartNew();
        string? owner = null;
        while (owner is null)
        {
            var live = (await NodeRegistryTests.NodesAsync(admin, want: 2)).ToDictionary(n => n.GetProperty("id").GetString()!, n => n.GetProperty("liveChannels").GetInt32());
            if (live.Values.Sum() == 1)
            {
                owner = live.Single(p => p.Value == 1).Key;
            }
            else
            {
                Assert.True(clock.Elapsed < TimeSpan.FromSeconds(20),
                    $"GET /api/v1/nodes never showed the publish on one node ({string.Join(", ", live)}); nginx: {balancer.ErrorLog}; ffmpeg: {publisher.Stderr}");
                await Task.Delay(200, Ct);
            }
        }
        output.WriteLine($"live on {owner} {clock.Elapsed.TotalSeconds:0.0} s after the encoder started through the balancer");
        using (var direct = bed.Nodes.Single(n => n.Id == owner).Admin())
        {
            var details = JsonDocument.Parse(await direct.GetStringAsync($"/api/v1/channels/{Channel}", Ct)).RootElement;
            Assert.True(details.GetProperty("live").GetBoolean());
        }

        // The hub through the balancer: negotiate, then the WebSocket, on one node (sticky), and a message round trip.
        await using var hub = new HubConnectionBuilder()
            .WithUrl(new Uri(balancer.BaseUrl, "/hubs/live"), o => o.Transports = HttpTransportType.WebSockets)
            .Build();
        var inbox = new EventInbox<ChatMessageView>(hub, "message");
        await hub.StartAsync(Ct);
        await hub.InvokeAsync<JoinSnapshot>("Join", Channel, new JoinOptions { DisplayName = "Viewer" }, Ct);
        await hub.InvokeAsync("SendMessage", "through nginx", Ct);
        Assert.Equal("Viewer", (await inbox.NextMatchingAsync(m => m.Text == "through nginx")).DisplayName);
        await hub.StopAsync(Ct);
    }
}
