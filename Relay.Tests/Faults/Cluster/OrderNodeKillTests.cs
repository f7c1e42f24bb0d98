using System.Collections.Concurrent;
using Microsoft.AspNetCore.SignalR.Client;
using Relay.Chat.Contracts;
using Relay.Tests.Common.Chat;
using Relay.Tests.Common.Hosts;
using Relay.Tests.Integration.Cluster;

namespace Relay.Tests.Faults.Cluster;

/// <summary>
/// kill -9 in a cluster, for commerce: of a node holding undelivered orders (the other node delivers each of them
/// exactly once in effect, the leased ones when their lease ends, noticed by its poll), and of PostgreSQL itself
/// during purchases (refusals while it is down, never a false <c>reserved</c>; nothing reserved lost after its restart).
/// </summary>
[Trait("Category", "Faults")]
[Collection(ClusterCollection.Name)]
public sealed class OrderNodeKillTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Kill_9_of_a_node_holding_undelivered_orders_lets_the_other_node_deliver_each_exactly_once_after_the_lease()
    {
        await using var api = await ScriptedOrderApi.StartAsync();
        // Held back: every POST is answered 503 after 3 s, past the nodes' 1 s timeout, so a node always has deliveries
        // in flight, each holding a lease on its order.
        var held = true;
        api.Script = _ => held ? new ScriptedAnswer(503) with { Stall = TimeSpan.FromSeconds(3) } : ScriptedAnswer.Created();
        await using var bed = await ClusterTestBed.StartAsync(2, [.. ClusterCommerceTests.NodeSettings(api), "--Relay:Orders:TimeoutSeconds=1"]);
        var (a, b) = (bed.Nodes[0], bed.Nodes[1]);
        await ClusterShop.PutLineupAsync(bed);
        await ClusterShop.StartFlashSaleAsync(a, 12);

        // Twelve guests buy on node a, over both protocols.
        var reserved = new List<string>();
        for (var i = 0; i < 12; i++)
        {
            await using var guest = await ClusterShop.JoinAsync(a, i % 2 == 0 ? "json" : "messagepack", name: $"guest{i}");
            var result = await guest.BuyAsync(ClusterShop.Sku, 1, "k");
            Assert.Equal(PurchaseStatus.Reserved, result.Status);
            reserved.Add(result.OrderId!);
        }

        // Kill node a while it holds leases (deliveries in flight); what it still holds once dead is what b must wait for.
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while ((await ClusterShop.LeasedByAsync(bed, a.Id)).Count < 3)
        {
            Assert.True(DateTime.UtcNow < deadline, "node a never held leases");
            await Task.Delay(20, Ct);
        }
        await a.KillAsync();
        var orphaned = await ClusterShop.LeasedByAsync(bed, a.Id);
        Assert.NotEmpty(orphaned);
        var killedAt = DateTimeOffset.UtcNow;
        held = false;

        // Node b delivers everything: what was not leased at once, a's leased orders when their lease ends (its poll
        // counts other nodes' leases in the next due time, no signal needed).
        List<Buyers.ChannelOrder> orders;
        deadline = DateTime.UtcNow.AddSeconds(90);
        while (true)
        {
            orders = await ClusterShop.OrdersAsync(b);
            if (orders.Count == 12 && orders.All(o => o.Status == "confirmed")) break;
            Assert.True(DateTime.UtcNow < deadline, "not all orders confirmed by node b: " + string.Join(", ", orders.Select(o => $"{o.Status}/{o.LastError}")));
            await Task.Delay(100, Ct);
        }

        Assert.Equal(reserved.Order(), api.Taken.Keys.Order());
        Assert.All(reserved, id => Assert.Equal(1, api.Taken[id]));
        // a's leased orders were taken by b only after their lease: never while a might still have been delivering them.
        foreach (var (orderId, leaseUntil) in orphaned)
        {
            var taken = api.Answers.Where(x => x.Key == orderId && x.Status == 201).Min(x => x.At);
            Assert.True(taken.ToUnixTimeMilliseconds() >= leaseUntil - 50, $"{orderId} taken at {taken:O}, its lease ran until {DateTimeOffset.FromUnixTimeMilliseconds(leaseUntil):O}");
        }
        TestContext.Current.TestOutputHelper?.WriteLine(
            $"{orphaned.Count} orders leased by the killed node; all 12 confirmed by node b {(DateTimeOffset.UtcNow - killedAt).TotalSeconds:F1} s after the kill");
    }

    [Fact]
    public async Task Kill_9_of_PostgreSQL_during_purchases_refuses_without_a_false_reserved_and_loses_no_reserved_order()
    {
        await using var api = await ScriptedOrderApi.StartAsync();
        var uncapped = new[] { "--Relay:Commerce:MaxUnitsPerBuyerPerSale=1000000", "--Relay:Commerce:MaxUnitsPerBuyerPerSku=1000000" };
        await using var bed = await ClusterTestBed.StartAsync(2, [.. ClusterCommerceTests.NodeSettings(api), .. uncapped]);
        foreach (var node in bed.Nodes)
        {
            // Provoked: purchases and deliveries fail while the database is down, and say so.
            node.AllowedErrors.AddRange(["Hub call", "dispatcher loop failed", "failed inside the relay", "draw clock failed"]);
        }
        await ClusterShop.PutLineupAsync(bed);
        await ClusterShop.StartFlashSaleAsync(bed.Nodes[0], 100_000);

        var answered = new ConcurrentDictionary<string, byte>();
        var refused = 0;
        var phase = 0; // 0 before the kill, 1 while down, 2 after the restart
        var afterRestart = 0;
        var guests = new List<HubConnection>();
        for (var g = 0; g < 8; g++) guests.Add(await ClusterShop.JoinAsync(bed.Nodes[g % 2], g % 4 < 2 ? "json" : "messagepack", name: $"guest{g}"));
        using var stop = new CancellationTokenSource();
        var buying = guests.Select(async guest =>
        {
            while (!stop.IsCancellationRequested)
            {
                try
                {
                    var result = await guest.BuyAsync(ClusterShop.Sku, 1, Guid.NewGuid().ToString("N"));
                    Assert.Equal(PurchaseStatus.Reserved, result.Status);
                    Assert.True(answered.TryAdd(result.OrderId!, 0), $"{result.OrderId} answered twice");
                    if (Volatile.Read(ref phase) == 2) Interlocked.Increment(ref afterRestart);
                }
                catch (Microsoft.AspNetCore.SignalR.HubException e) when (e.Message.StartsWith("internal_error", StringComparison.Ordinal))
                {
                    // The clear refusal: the reservation's transaction did not commit (or is not known to have).
                    Interlocked.Increment(ref refused);
                    await Task.Delay(50);
                }
                await Task.Delay(20);
            }
        }).ToList();

        await WaitAsync(() => answered.Count >= 50, "purchases before the kill");
        await bed.Postgres.KillAsync();
        Volatile.Write(ref phase, 1);
        var beforeKill = answered.Count;
        await Task.Delay(2000, Ct);
        var refusedWhileDown = Volatile.Read(ref refused);
        await bed.Postgres.RestartAsync();
        Volatile.Write(ref phase, 2);
        await WaitAsync(() => Volatile.Read(ref afterRestart) >= 50, "purchases after the restart");
        await stop.CancelAsync();
        await Task.WhenAll(buying);
        foreach (var guest in guests) await guest.DisposeAsync();

        Assert.True(refusedWhileDown > 0, "no purchase was refused while PostgreSQL was down");
        // Every `reserved` answer has its order in the database after the crash recovery, and each reached the order
        // API exactly once; orders whose answer was lost with the connection (refused, yet committed) are delivered too.
        var deadline = DateTime.UtcNow.AddSeconds(60);
        List<Buyers.ChannelOrder> orders;
        while (true)
        {
            orders = await ClusterShop.OrdersAsync(bed.Nodes[1]);
            if (orders.Count >= answered.Count && orders.All(o => o.Status == "confirmed")) break;
            Assert.True(DateTime.UtcNow < deadline, $"orders not all confirmed: {orders.Count} orders for {answered.Count} answered");
            await Task.Delay(100, Ct);
        }
        Assert.Subset(orders.Select(o => o.OrderId).ToHashSet(), answered.Keys.ToHashSet());
        Assert.Equal(orders.Select(o => o.OrderId).Order(), api.Taken.Keys.Order());
        Assert.All(api.Taken, t => Assert.Equal(1, t.Value));
        Assert.Equal(orders.Count, await ClusterShop.ScalarAsync(bed, "SELECT 100000 - remaining FROM chat_flash_sales"));
        TestContext.Current.TestOutputHelper?.WriteLine(
            $"{beforeKill} reserved before the kill, {refused} refused (internal_error), {answered.Count} reserved in all, {orders.Count} orders in the database");
    }

    private static async Task WaitAsync(Func<bool> done, string what)
    {
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (!done())
        {
            Assert.True(DateTime.UtcNow < deadline, $"timed out waiting for {what}");
            await Task.Delay(50, Ct);
        }
    }
}
