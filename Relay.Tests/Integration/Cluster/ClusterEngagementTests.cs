using Microsoft.AspNetCore.SignalR.Client;
using Relay.Chat.Contracts;
using Relay.Tests.Common;
using Relay.Tests.Common.Chat;
using Relay.Tests.Common.Hosts;
using Relay.Tests.Integration.Chat;
using Hub = Relay.Tests.Common.Hosts.Hub;

namespace Relay.Tests.Integration.Cluster;

/// <summary>
/// Issue 16 across two Relay processes on one PostgreSQL and one Redis: likes tapped at both nodes give one exact total,
/// the same on both, announced at most 4 times a second over the room; a draw entered by every viewer at both nodes at
/// once counts each viewer once, ends once (both nodes' clocks try), and each winner's prize reaches the order API once.
/// </summary>
[Collection(ClusterCollection.Name)]
public sealed class ClusterEngagementTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;
    private const int Viewers = 20;

    [Fact]
    public async Task Likes_and_a_draw_across_two_nodes_are_exact_and_the_same_on_both()
    {
        await using var api = await ScriptedOrderApi.StartAsync();
        await using var bed = await ClusterTestBed.StartAsync(2, ClusterCommerceTests.NodeSettings(api));
        var (a, b) = (bed.Nodes[0], bed.Nodes[1]);
        await ClusterShop.PutLineupAsync(bed);

        var jwt = "viewer-jwt-key-for-the-cluster-0123456789";
        var onA = new HubConnection[Viewers];
        var onB = new HubConnection[Viewers];
        for (var i = 0; i < Viewers; i++)
        {
            var token = PurchaseTests.Token($"fan-{i}", $"Fan {i}", DateTime.UtcNow.AddMinutes(30), jwt);
            onA[i] = await ClusterShop.JoinAsync(a, i % 2 == 0 ? "json" : "messagepack", token);
            onB[i] = await ClusterShop.JoinAsync(b, i % 2 == 0 ? "messagepack" : "json", token);
        }
        await using var seller = Hub.Build(new Uri(a.BaseUrl, "/hubs/live?access_token=" + ChildRelay.AdminToken), "json");
        await seller.StartAsync(Ct);
        await seller.InvokeAsync<JoinSnapshot>("Join", "demo", new JoinOptions(), Ct);
        try
        {
            var clock = System.Diagnostics.Stopwatch.StartNew();
            var seenA = new List<(long Total, TimeSpan At)>();
            var seenB = new List<(long Total, TimeSpan At)>();
            onA[0].On<LikesEvent>("likes", e => { lock (seenA) seenA.Add((e.Total, clock.Elapsed)); });
            onB[0].On<LikesEvent>("likes", e => { lock (seenB) seenB.Add((e.Total, clock.Elapsed)); });

            // 1,000 taps: each viewer taps 50, half at each node, a batch every 250 ms.
            await Task.WhenAll(Enumerable.Range(0, Viewers).Select(async i =>
            {
                for (var k = 0; k < 5; k++)
                {
                    await (k % 2 == 0 ? onA[i] : onB[i]).InvokeAsync("Like", 10, Ct);
                    await Task.Delay(250, Ct);
                }
            }));
            bool Final(List<(long Total, TimeSpan At)> seen) { lock (seen) return seen.Count > 0 && seen[^1].Total == 1000; }
            await Eventually.TrueAsync(() => Task.FromResult(Final(seenA) && Final(seenB)), "1000 likes on both nodes", TimeSpan.FromSeconds(15), Ct);
            foreach (var seen in new[] { seenA, seenB })
            {
                List<(long Total, TimeSpan At)> copy;
                lock (seen) copy = [.. seen];
                var span = (copy[^1].At - copy[0].At).TotalSeconds;
                Assert.True(copy.Count - 1 <= span * 4 + 1, $"{copy.Count} likes events in {span:F2} s");
            }
            Assert.Equal(1000, (await onA[1].InvokeAsync<JoinSnapshot>("Join", "demo", new JoinOptions(), Ct)).Likes);
            Assert.Equal(1000, (await onB[1].InvokeAsync<JoinSnapshot>("Join", "demo", new JoinOptions(), Ct)).Likes);

            // The draw: started at node a, every viewer enters at both nodes at once.
            var resultsA = new EventInbox<DrawResultView>(onA[0], "drawResult");
            var resultsB = new EventInbox<DrawResultView>(onB[0], "drawResult");
            var drawsB = new EventInbox<DrawView>(onB[0], "draw");
            await seller.InvokeAsync("StartDraw", new DrawRequest { Sku = ClusterShop.Sku, Winners = 3, DurationSeconds = 10 }, Ct);
            var started = await drawsB.NextAsync();
            var answers = await Task.WhenAll(Enumerable.Range(0, Viewers).SelectMany(i => new[]
            {
                onA[i].InvokeAsync<DrawEntryResult>("EnterDraw", Ct), onB[i].InvokeAsync<DrawEntryResult>("EnterDraw", Ct),
            }));
            Assert.All(answers, r => Assert.Equal(DrawEntryStatus.Entered, r.Status));
            Assert.Equal(Viewers, answers.Count(r => r.Reason is null));
            Assert.Equal(Viewers, await ClusterShop.ScalarAsync(bed, $"SELECT COUNT(*) FROM chat_draw_entries WHERE draw_id = '{started.DrawId}'"));

            var resultA = await resultsA.NextAsync(seconds: 25);
            var resultB = await resultsB.NextAsync(seconds: 25);
            Assert.Equal(resultA.Winners.Select(w => w.UserId), resultB.Winners.Select(w => w.UserId));
            Assert.Equal(Viewers, resultA.Entrants);
            Assert.True(await resultsA.StaysQuietAsync(2), "the draw ended once");
            using var http = new HttpClient { BaseAddress = b.BaseUrl };
            var (report, json) = await DrawCheck.FetchAsync(http, "demo", started.DrawId);
            Assert.Equal(resultA.Winners.Select(w => w.UserId), DrawCheck.Recompute(report.Seed!, report.EntrantIds!, 3));
            var (exit, output) = await DrawCheck.RunScriptAsync(json);
            Assert.True(exit == 0, output);

            await Eventually.TrueAsync(() => Task.FromResult(api.Taken.Count == 3), "3 prize orders", TimeSpan.FromSeconds(20), Ct);
            await Task.Delay(1000, Ct);
            Assert.Equal(3, api.Taken.Count);
            Assert.All(api.Taken.Values, n => Assert.Equal(1, n));
            Assert.All(api.Orders.Values, o => Assert.Equal((started.DrawId, 0L), (o.DrawId, o.UnitPriceCents)));
            Assert.Equal(3, await ClusterShop.ScalarAsync(bed, $"SELECT COUNT(*) FROM orders_orders WHERE draw_id = '{started.DrawId}'"));
        }
        finally
        {
            await Task.WhenAll(onA.Concat(onB).Where(c => c is not null).Select(c => c.DisposeAsync().AsTask()));
        }
    }
}
