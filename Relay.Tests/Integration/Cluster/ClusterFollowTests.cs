using Microsoft.AspNetCore.SignalR.Client;
using Relay.Chat.Contracts;
using Relay.Tests.Common.Chat;
using Relay.Tests.Common.Hosts;
using Relay.Tests.Integration.Chat;

namespace Relay.Tests.Integration.Cluster;

/// <summary>
/// Follows across nodes (issue 16): two Relay processes on one PostgreSQL and Redis, each viewer following on both nodes
/// at once (and unfollowing and following again): the CRM gets each viewer's first follow exactly once, signed, though
/// both nodes' dispatchers claim the shared CRM outbox (FOR UPDATE SKIP LOCKED, leases).
/// </summary>
[Collection(ClusterCollection.Name)]
public sealed class ClusterFollowTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;
    private const string JwtKey = "viewer-jwt-key-for-the-cluster-0123456789";
    private const int Viewers = 20;

    [Fact]
    public async Task Follows_on_two_nodes_reach_the_CRM_once_per_viewer()
    {
        await using var orders = await ScriptedOrderApi.StartAsync();
        await using var crm = await ScriptedWebhook.StartAsync(FollowCrmTests.Secret);
        await using var bed = await ClusterTestBed.StartAsync(2,
        [
            .. ClusterCommerceTests.NodeSettings(orders),
            $"--Relay:Crm:Endpoint={crm.Endpoint}", $"--Relay:Crm:SigningSecret={FollowCrmTests.Secret}",
            "--Relay:Crm:InitialBackoffMilliseconds=50", "--Relay:Crm:MaxBackoffSeconds=0.5",
        ]);
        await ClusterShop.PutLineupAsync(bed);
        var connections = new List<HubConnection>();
        try
        {
            for (var i = 0; i < Viewers; i++)
            {
                var token = PurchaseTests.Token($"fan-{i}", $"Fan {i}", DateTime.UtcNow.AddMinutes(30), JwtKey);
                connections.Add(await ClusterShop.JoinAsync(bed.Nodes[0], i % 2 == 0 ? "json" : "messagepack", token));
                connections.Add(await ClusterShop.JoinAsync(bed.Nodes[1], i % 2 == 0 ? "messagepack" : "json", token));
            }
            // Every viewer follows on both nodes at once, twice.
            await Task.WhenAll(connections.SelectMany(c => new[] { c.InvokeAsync<FollowResult>("Follow", Ct), c.InvokeAsync<FollowResult>("Follow", Ct) }));
            // Then unfollows on one node and follows again on the other.
            for (var i = 0; i < Viewers; i++)
            {
                Assert.False((await connections[2 * i].InvokeAsync<FollowResult>("Unfollow", Ct)).Following);
                Assert.True((await connections[2 * i + 1].InvokeAsync<FollowResult>("Follow", Ct)).Following);
            }

            var deadline = DateTime.UtcNow.AddSeconds(60);
            while (crm.Taken.Count < Viewers)
            {
                Assert.True(DateTime.UtcNow < deadline, $"the CRM got {crm.Taken.Count} of {Viewers} first follows");
                await Task.Delay(100, Ct);
            }
            await Task.Delay(1000, Ct);
            var expected = Enumerable.Range(0, Viewers).Select(i => $"follow:demo:user_fan-{i}").Order().ToList();
            Assert.Equal(expected, crm.Taken.Keys.Order());
            Assert.All(crm.Taken.Values, n => Assert.Equal(1, n));
            // Each event was posted once: no two nodes delivered the same event.
            Assert.Equal(expected, crm.Calls.Select(c => c.Key).Order());
            Assert.All(crm.Calls, c => Assert.True(c.SignatureValid && c.WebhookId == c.Key));
            Assert.Equal(Viewers, await ClusterShop.ScalarAsync(bed, "SELECT COUNT(*) FROM crm_events WHERE status = 'delivered'"));
            Assert.Equal(Viewers, await ClusterShop.ScalarAsync(bed, "SELECT COUNT(*) FROM social_followers WHERE following = 1"));
        }
        finally
        {
            foreach (var c in connections) await c.DisposeAsync();
        }
    }
}
