using System.Collections.Concurrent;
using Microsoft.AspNetCore.SignalR.Client;
using Relay.Chat.Contracts;
using Relay.Tests.Common.Chat;
using Relay.Tests.Common.Hosts;
using Relay.Tests.Integration.Chat;
using Hub = Relay.Tests.Common.Hosts.Hub;

namespace Relay.Tests.Integration.Cluster;

/// <summary>
/// Coupons are exact across nodes (issue 16): two Relay processes on one PostgreSQL and one Redis, a coupon of 50 (2 per
/// viewer) dropped on one node, 80 signed-in viewers claiming it at both nodes at once over both protocols: exactly 50
/// claimed, nobody past 2. A viewer joining the other node later sees the coupon with what is left, and a claim made on one
/// node discounts a purchase made on the other.
/// </summary>
[Collection(ClusterCollection.Name)]
public sealed class ClusterCouponTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;
    private const string JwtKey = "viewer-jwt-key-for-the-cluster-0123456789";
    private const int Quantity = 50, PerBuyer = 2, ViewerCount = 80;

    [Fact]
    public async Task Claims_fired_at_both_nodes_never_pass_the_quantity_or_the_per_viewer_cap_and_every_node_shows_the_coupon()
    {
        await using var api = await ScriptedOrderApi.StartAsync();
        await using var bed = await ClusterTestBed.StartAsync(2, ClusterCommerceTests.NodeSettings(api));
        var (a, b) = (bed.Nodes[0], bed.Nodes[1]);
        await ClusterShop.PutLineupAsync(bed);

        await using var seller = Hub.Build(new Uri(a.BaseUrl, "/hubs/live?access_token=" + ChildRelay.AdminToken), "json");
        await seller.StartAsync(Ct);
        await seller.InvokeAsync<JoinSnapshot>("Join", "demo", new JoinOptions(), Ct);
        var coupon = await seller.InvokeAsync<CouponView>("DropCoupon",
            new CouponRequest { DiscountCents = 150, Quantity = Quantity, PerBuyer = PerBuyer, DurationSeconds = 600 }, Ct);

        var connections = new HubConnection[ViewerCount * 2];
        var opening = new SemaphoreSlim(32);
        await Task.WhenAll(Enumerable.Range(0, ViewerCount * 2).Select(async i =>
        {
            await opening.WaitAsync(Ct);
            try
            {
                var viewer = i / 2;
                var token = PurchaseTests.Token($"viewer-{viewer}", $"Viewer {viewer}", DateTime.UtcNow.AddMinutes(30), JwtKey);
                connections[i] = await ClusterShop.JoinAsync(i % 2 == 0 ? a : b, (viewer + i) % 2 == 0 ? "json" : "messagepack", token);
            }
            finally
            {
                opening.Release();
            }
        }));
        try
        {
            // Each viewer fires two claims at each node at once: four attempts against a cap of two, half on the other node.
            var answers = new ConcurrentBag<(int Viewer, string Status)>();
            await Task.WhenAll(Enumerable.Range(0, ViewerCount * 2).SelectMany(i => Enumerable.Range(0, 2).Select(async _ =>
                answers.Add((i / 2, (await connections[i].InvokeAsync<CouponClaimResult>("ClaimCoupon", coupon.CouponId, Ct)).Status)))));
            TestContext.Current.TestOutputHelper?.WriteLine(string.Join(", ", answers.GroupBy(x => x.Status).Select(g => $"{g.Key}={g.Count()}")));
            Assert.All(answers, x => Assert.Contains(x.Status, new[] { CouponStatus.Claimed, CouponStatus.Gone, CouponStatus.LimitExceeded }));
            Assert.Equal(Quantity, answers.Count(x => x.Status == CouponStatus.Claimed));
            Assert.All(answers.GroupBy(x => x.Viewer), g => Assert.True(g.Count(x => x.Status == CouponStatus.Claimed) <= PerBuyer, $"viewer {g.Key} over the cap"));
            Assert.Equal(0, await ClusterShop.ScalarAsync(bed, "SELECT remaining FROM chat_coupons"));
            Assert.Equal(Quantity, await ClusterShop.ScalarAsync(bed, "SELECT SUM(claimed) FROM chat_coupon_claims"));
            Assert.Equal(0, await ClusterShop.ScalarAsync(bed, $"SELECT COUNT(*) FROM chat_coupon_claims WHERE claimed > {PerBuyer}"));

            // A late joiner on the node that did not drop it sees it, with nothing left (the paced count reached Redis).
            await Common.Eventually.TrueAsync(async () =>
            {
                await using var late = await ClusterShop.JoinAsync(b, "messagepack");
                var snapshot = await late.InvokeAsync<JoinSnapshot>("Join", "demo", new JoinOptions(), Ct);
                return snapshot.Coupons.SingleOrDefault(c => c.CouponId == coupon.CouponId) is { Remaining: 0, DiscountCents: 150 };
            }, "the late joiner on node B sees the coupon with 0 left", TimeSpan.FromSeconds(10), Ct);

            // A claim made on one node is used by a purchase on the other.
            var winner = answers.First(x => x.Status == CouponStatus.Claimed).Viewer;
            await ClusterShop.PinAsync(a, ClusterShop.PinnedSku);
            var onB = connections[winner * 2 + 1];
            var bought = await onB.InvokeAsync<PurchaseResult>("Purchase",
                new PurchaseRequest { Sku = ClusterShop.PinnedSku, Quantity = 1, IdempotencyKey = "with-coupon", CouponId = coupon.CouponId }, Ct);
            Assert.Equal((PurchaseStatus.Reserved, 150L), (bought.Status, bought.DiscountCents ?? 0));
            await Common.Eventually.TrueAsync(() => Task.FromResult(api.Orders.ContainsKey(bought.OrderId!)), "the order reached the order API",
                TimeSpan.FromSeconds(20), Ct);
            Assert.Equal((coupon.CouponId, (long?)150), (api.Orders[bought.OrderId!].CouponId, api.Orders[bought.OrderId!].DiscountCents));
        }
        finally
        {
            foreach (var c in connections) if (c is not null) await c.DisposeAsync();
        }
    }
}
