using System.Collections.Concurrent;
using Microsoft.AspNetCore.SignalR.Client;
using Relay.Chat.Contracts;
using Relay.Tests.Common.Chat;
using Relay.Tests.Common.Hosts;
using Relay.Tests.Integration.Chat;

namespace Relay.Tests.Integration.Cluster;

/// <summary>
/// Commerce is exact across nodes (issue 14 item 3): two Relay processes on one PostgreSQL, a flash sale of 100 with
/// 240 signed-in buyers firing at both nodes at once over both hub protocols: exactly 100 reserved, no buyer past the
/// per-sale cap although each fires at both nodes. Then 50 of them buy a pinned product, 3 at each node at once, against
/// a per-sku cap of 3: exactly 3 each. Every reserved order reaches the order API exactly once.
/// </summary>
[Collection(ClusterCollection.Name)]
public sealed class ClusterCommerceTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;
    private const string JwtKey = "viewer-jwt-key-for-the-cluster-0123456789";
    private const int Quantity = 100, BuyerCount = 240, CappedBuyers = 50, SkuCap = 3;

    internal static string[] NodeSettings(ScriptedOrderApi api) =>
    [
        $"--Relay:Orders:Endpoint={api.Endpoint}", $"--Relay:Auth:ViewerJwtKey={JwtKey}",
        "--Relay:Orders:InitialBackoffMilliseconds=100", "--Relay:Orders:MaxBackoffSeconds=1", "--Relay:Orders:MaxAttempts=1000",
        // Every buyer connects from 127.0.0.1: lift the per-address limits (docs/operations.md#load-limits).
        "--Relay:Limits:HubConnectionsPerIp=5000", "--Relay:Limits:RestRequestsPerSecondPerIp=100000", "--Relay:Limits:RestBurstPerIp=100000",
    ];

    [Fact]
    public async Task A_flash_sale_fired_at_both_nodes_sells_exactly_the_quantity_holds_the_buyer_cap_and_delivers_each_order_once()
    {
        await using var api = await ScriptedOrderApi.StartAsync();
        await using var bed = await ClusterTestBed.StartAsync(2, [.. NodeSettings(api), $"--Relay:Commerce:MaxUnitsPerBuyerPerSku={SkuCap}"]);
        var (a, b) = (bed.Nodes[0], bed.Nodes[1]);
        await ClusterShop.PutLineupAsync(bed);
        await ClusterShop.StartFlashSaleAsync(a, Quantity);

        // Each buyer holds one connection to each node, one JSON and one MessagePack, and fires two purchases at each
        // at once: four attempts against a cap of 2 per buyer per sale (the default), half of them on the other node.
        var connections = new HubConnection[BuyerCount * 2];
        var opening = new SemaphoreSlim(32);
        await Task.WhenAll(Enumerable.Range(0, BuyerCount * 2).Select(async i =>
        {
            await opening.WaitAsync(Ct);
            try
            {
                var buyer = i / 2;
                var token = PurchaseTests.Token($"buyer-{buyer}", $"Buyer {buyer}", DateTime.UtcNow.AddMinutes(30), JwtKey);
                var protocol = (buyer + i) % 2 == 0 ? "json" : "messagepack";
                connections[i] = await ClusterShop.JoinAsync(i % 2 == 0 ? a : b, protocol, token);
            }
            finally
            {
                opening.Release();
            }
        }));
        try
        {
            var answers = new ConcurrentBag<(int Buyer, PurchaseResult Result)>();
            var fired = Enumerable.Range(0, BuyerCount * 2).SelectMany(i => Enumerable.Range(0, 2).Select(async k =>
            {
                var result = await connections[i].BuyAsync(ClusterShop.Sku, 1, $"b{i / 2}-c{i}-k{k}");
                answers.Add((i / 2, result));
            })).ToList();
            await Task.WhenAll(fired);

            var statuses = answers.GroupBy(x => x.Result.Status).ToDictionary(g => g.Key, g => g.Count());
            TestContext.Current.TestOutputHelper?.WriteLine(string.Join(", ", statuses.Select(s => $"{s.Key}={s.Value}")));
            Assert.All(answers, x => Assert.Contains(x.Result.Status, new[] { PurchaseStatus.Reserved, PurchaseStatus.SoldOut, PurchaseStatus.LimitExceeded }));
            var reserved = answers.Where(x => x.Result.Status == PurchaseStatus.Reserved).ToList();
            Assert.Equal(Quantity, reserved.Count);
            Assert.Equal(Quantity, reserved.Select(x => x.Result.OrderId).Distinct().Count());
            Assert.All(reserved.GroupBy(x => x.Buyer), g => Assert.True(g.Count() <= 2, $"buyer {g.Key} holds {g.Count()} units, the cap is 2"));
            // Both nodes sold: the sale is one pool, not one per node.
            Assert.Equal(0, await ClusterShop.ScalarAsync(bed, "SELECT remaining FROM chat_flash_sales"));
            Assert.Equal(Quantity, await ClusterShop.ScalarAsync(bed, "SELECT SUM(quantity) FROM orders_orders"));

            // Per-sku cap across nodes: each of 50 buyers fires 3 purchases of the pinned product at each node at once.
            await ClusterShop.PinAsync(a, ClusterShop.PinnedSku);
            await ClusterShop.PinAsync(b, ClusterShop.PinnedSku);
            var capped = new ConcurrentBag<(int Buyer, PurchaseResult Result)>();
            await Task.WhenAll(Enumerable.Range(0, CappedBuyers * 2).SelectMany(i => Enumerable.Range(0, SkuCap).Select(async k =>
                capped.Add((i / 2, await connections[i].BuyAsync(ClusterShop.PinnedSku, 1, $"pin-b{i / 2}-c{i}-k{k}"))))));
            Assert.All(capped, x => Assert.Contains(x.Result.Status, new[] { PurchaseStatus.Reserved, PurchaseStatus.LimitExceeded }));
            Assert.All(capped.GroupBy(x => x.Buyer), g => Assert.Equal(SkuCap, g.Count(x => x.Result.Status == PurchaseStatus.Reserved)));
            Assert.Equal(0, await ClusterShop.ScalarAsync(bed,
                $"SELECT COUNT(*) FROM (SELECT buyer_id FROM orders_orders WHERE sku = '{ClusterShop.PinnedSku}' GROUP BY buyer_id HAVING SUM(quantity) > {SkuCap}) x"));

            // Every reserved order reaches the order API exactly once, whichever node delivers it.
            var ids = reserved.Concat(capped.Where(x => x.Result.Status == PurchaseStatus.Reserved)).Select(x => x.Result.OrderId!).ToHashSet();
            Assert.Equal(Quantity + CappedBuyers * SkuCap, ids.Count);
            var deadline = DateTime.UtcNow.AddSeconds(60);
            List<Buyers.ChannelOrder> orders;
            while (true)
            {
                orders = await ClusterShop.OrdersAsync(b);
                if (orders.Count == ids.Count && orders.All(o => o.Status == "confirmed")) break;
                Assert.True(DateTime.UtcNow < deadline, "orders not all confirmed: " + string.Join(",", orders.GroupBy(o => o.Status).Select(g => $"{g.Key}={g.Count()}")));
                await Task.Delay(100, Ct);
            }
            Assert.Equal(ids.Order(), orders.Select(o => o.OrderId).Order());
            Assert.Equal(ids.Order(), api.Taken.Keys.Order());
            Assert.All(api.Taken, t => Assert.Equal(1, t.Value));
            Assert.Empty(api.Problems);
        }
        finally
        {
            await Task.WhenAll(connections.Where(c => c is not null).Select(c => c.DisposeAsync().AsTask()));
        }
    }
}
