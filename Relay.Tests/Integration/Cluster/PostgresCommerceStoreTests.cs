using Relay.Tests.Common.Hosts;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;
using Relay.Chat.Channels;
using Relay.Chat.Ledger;
using Relay.Chat.Orders;
using Relay.Chat.Storage.Postgres;
using Relay.Common.Storage;
using Relay.Tests.Common.Peers;

namespace Relay.Tests.Integration.Cluster;

/// <summary>
/// The live room's PostgreSQL stores on a real PostgreSQL, two "nodes" (two stores, each with its own connection pool
/// and group commit) working on one database at once: reservations stay exact (stock, both per-buyer caps,
/// idempotency keys), the outbox hands each order to one node, a node drops only its own leases, and a dead node's
/// leased orders become due for the other when the lease ends. The child-process cluster tests are ClusterCommerceTests
/// and Faults/Cluster/OrderNodeKillTests.
/// </summary>
[Collection(ClusterCollection.Name)]
public sealed class PostgresCommerceStoreTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private sealed class Node(string id, PostgresDatabase database, PostgresChatDatabase chat, PostgresCommerceStore store) : IAsyncDisposable
    {
        public string Id { get; } = id;
        public PostgresChatDatabase Chat { get; } = chat;
        public PostgresCommerceStore Store { get; } = store;

        public static Node Open(string connectionString, string id)
        {
            var database = new PostgresDatabase(connectionString);
            var chat = new PostgresChatDatabase(database, NullLogger<PostgresChatDatabase>.Instance);
            return new Node(id, database, chat, new PostgresCommerceStore(chat, id));
        }

        public async ValueTask DisposeAsync()
        {
            await Store.DisposeAsync();
            await database.DisposeAsync();
        }
    }

    private static ReservationRequest Buy(string buyer, string key, string sku, string? saleId, bool limited, int quantity = 1, int capSku = 1000, int capSale = 1000) =>
        new("c1", buyer, buyer, key, sku, quantity, 500, "EUR", null, saleId, limited, DateTimeOffset.UtcNow, capSku, capSale);

    [Fact]
    public async Task Two_nodes_reserving_at_once_sell_exactly_the_stock_hold_both_caps_and_make_one_order_per_key()
    {
        await using var postgres = await PostgresServer.StartAsync();
        var connectionString = await postgres.CreateDatabaseAsync("commerce");
        await using var a = Node.Open(connectionString, "node-a");
        await using var b = Node.Open(connectionString, "node-b");
        // Both nodes migrate at once: the advisory lock makes them take turns.
        await Task.WhenAll(a.Chat.EnsureReadyAsync(Ct), b.Chat.EnsureReadyAsync(Ct));

        var stock = await a.Store.ApplyLineupAsync("c1", [new LineupItem("S", "S", 500, "EUR", null, 150), new LineupItem("U", "U", 500, "EUR", null, null)], false, Ct);
        Assert.Equal(150, stock.Remaining["S"]);
        var sale = await b.Store.StartFlashSaleAsync("c1", "S", 400, "EUR", 100, DateTimeOffset.UtcNow.AddMinutes(10), null, Ct);

        // 300 buyers, each firing 3 sale purchases (cap 2 per sale) half on each node, plus a retry of its first key on
        // the other node; 60 more buy the limited sku outside the sale, 3 units each against a per-sku cap of 4.
        var calls = new List<(string Buyer, string Key, Task<ReservationOutcome> Outcome)>();
        for (var i = 0; i < 300; i++)
        {
            var buyer = $"user_{i}";
            for (var k = 0; k < 3; k++)
            {
                var node = (i + k) % 2 == 0 ? a : b;
                calls.Add((buyer, $"k{k}", node.Store.ReserveAsync(Buy(buyer, $"k{k}", "S", sale.SaleId, limited: true, capSku: 1000, capSale: 2), Ct)));
            }
            calls.Add((buyer, "k0", ((i % 2 == 0) ? b : a).Store.ReserveAsync(Buy(buyer, "k0", "S", sale.SaleId, limited: true, capSale: 2), Ct)));
        }
        var outcomes = await Task.WhenAll(calls.Select(c => c.Outcome));

        var reserved = outcomes.Where(o => o.Kind == ReservationKind.Reserved).ToList();
        Assert.Equal(100, reserved.Count);
        Assert.Equal(100, reserved.Select(o => o.OrderId).Distinct().Count());
        Assert.All(outcomes, o => Assert.True(o.Kind is ReservationKind.Reserved or ReservationKind.Duplicate or ReservationKind.SoldOut or ReservationKind.LimitExceeded, o.Kind.ToString()));
        // One order per (buyer, key): a duplicate names the order its key made, on whichever node.
        var byKey = calls.Zip(outcomes).Where(x => x.Second.Kind is ReservationKind.Reserved or ReservationKind.Duplicate)
            .GroupBy(x => (x.First.Buyer, x.First.Key)).ToList();
        Assert.All(byKey, g => Assert.Single(g.Select(x => x.Second.OrderId).Distinct()));

        await using var db = new NpgsqlConnection(connectionString);
        await db.OpenAsync(Ct);
        async Task<long> Scalar(string sql) => Convert.ToInt64(await new NpgsqlCommand(sql, db).ExecuteScalarAsync(Ct));
        Assert.Equal(0, await Scalar("SELECT remaining FROM chat_flash_sales"));
        Assert.Equal(100, await Scalar("SELECT held FROM chat_lineup_stock WHERE sku = 'S'"));
        Assert.Equal(100, await Scalar("SELECT COUNT(*) FROM orders_orders"));
        Assert.Equal(100, await Scalar("SELECT COUNT(*) FROM orders_purchase_keys"));
        Assert.Equal(0, await Scalar("SELECT COUNT(*) FROM (SELECT buyer_id FROM orders_orders GROUP BY buyer_id HAVING SUM(quantity) > 2) x"));

        // Per-sku cap across nodes: 3 units at a time against a cap of 4, fired at both nodes at once; then the line-up
        // stock of S (150) leaves 50 outside the sale.
        var skuCalls = Enumerable.Range(0, 40).SelectMany(i => new[]
        {
            a.Store.ReserveAsync(Buy($"shopper_{i}", "x", "S", null, limited: true, quantity: 3, capSku: 4), Ct),
            b.Store.ReserveAsync(Buy($"shopper_{i}", "y", "S", null, limited: true, quantity: 3, capSku: 4), Ct),
        }).ToList();
        var skuOutcomes = await Task.WhenAll(skuCalls);
        var skuReserved = skuOutcomes.Count(o => o.Kind == ReservationKind.Reserved);
        Assert.Equal(16, skuReserved); // 16 x 3 = 48 of the 50 left; no shopper twice (3 + 3 > 4)
        Assert.Equal(0, await Scalar("SELECT COUNT(*) FROM (SELECT buyer_id FROM orders_orders WHERE buyer_id LIKE 'shopper_%' GROUP BY buyer_id HAVING SUM(quantity) > 4) x"));
        Assert.Equal(148, await Scalar("SELECT held FROM chat_lineup_stock WHERE sku = 'S'"));

        // An unlimited sku gets its ledger row on first use on either node; units are counted from the first one.
        var unlimited = await Task.WhenAll(a.Store.ReserveAsync(Buy("u1", "u", "U", null, false), Ct), b.Store.ReserveAsync(Buy("u2", "u", "U", null, false), Ct));
        Assert.All(unlimited, o => Assert.Equal((ReservationKind.Reserved, (int?)null), (o.Kind, o.LineupRemaining)));
        Assert.Equal(2, await Scalar("SELECT held FROM chat_lineup_stock WHERE sku = 'U'"));

        // A failed order gives back exactly what it took, to both pools, once.
        var first = reserved[0].OrderId!;
        var release = await b.Store.MarkFailedAsync(first, 1, "HTTP 422", DateTimeOffset.UtcNow, Ct);
        Assert.NotNull(release);
        Assert.Equal((1, 3), (release.FlashRemaining, release.LineupRemaining));
        Assert.Null(await a.Store.MarkFailedAsync(first, 1, "HTTP 422", DateTimeOffset.UtcNow, Ct));
        Assert.Equal(reserved.Select(o => o.OrderId!).Order(), (await a.Store.ListByChannelAsync("c1", Ct)).Where(o => o.FlashSale).Select(o => o.OrderId).Order());
    }

    [Fact]
    public async Task The_outbox_hands_each_order_to_one_node_a_node_drops_only_its_own_leases_and_a_dead_nodes_lease_ends()
    {
        await using var postgres = await PostgresServer.StartAsync();
        var connectionString = await postgres.CreateDatabaseAsync("outbox");
        await using var a = Node.Open(connectionString, "node-a");
        await using var b = Node.Open(connectionString, "node-b");
        await a.Store.ApplyLineupAsync("c1", [new LineupItem("S", "S", 500, "EUR", null, null)], false, Ct);
        for (var i = 0; i < 40; i++) await a.Store.ReserveAsync(Buy($"user_{i}", "k", "S", null, limited: false), Ct);

        var now = DateTimeOffset.UtcNow;
        var lease = TimeSpan.FromSeconds(30);
        // Both nodes claim at once, a few at a time: SKIP LOCKED gives each order to exactly one of them.
        var claims = await Task.WhenAll(Enumerable.Range(0, 10).Select(i => (i % 2 == 0 ? a : b).Store.ClaimDueAsync(now, 5, lease, Ct)));
        var claimed = claims.SelectMany(c => c).Select(o => o.OrderId).ToList();
        Assert.Equal(40, claimed.Count);
        Assert.Equal(40, claimed.Distinct().Count());
        Assert.Empty(await b.Store.ClaimDueAsync(now, 100, lease, Ct));
        // The next due time counts the leases too: nothing is due before they end.
        Assert.Equal(now + lease, (await b.Store.NextDueAtAsync(Ct))!.Value, TimeSpan.FromMilliseconds(1));

        // b restarting drops b's leases only; a's stay (a may be delivering them right now).
        var byA = claims.Where((_, i) => i % 2 == 0).SelectMany(c => c).Select(o => o.OrderId).ToHashSet();
        await b.Store.ReleaseAllLeasesAsync(Ct);
        var retaken = await b.Store.ClaimDueAsync(now + TimeSpan.FromSeconds(1), 100, lease, Ct);
        Assert.Equal(40 - byA.Count, retaken.Count);
        Assert.DoesNotContain(retaken, o => byA.Contains(o.OrderId));

        // a dies holding its leases: b takes a's orders once the lease has ended, not before.
        Assert.Empty(await b.Store.ClaimDueAsync(now + lease - TimeSpan.FromMilliseconds(1), 100, lease, Ct));
        var afterLease = await b.Store.ClaimDueAsync(now + lease, 100, lease, Ct);
        Assert.Equal(byA.Order(), afterLease.Select(o => o.OrderId).Order());

        // Confirmations are group-committed and apply once, whichever node answers.
        var confirmed = await Task.WhenAll(claimed.SelectMany(id => new[] { a.Store.MarkConfirmedAsync(id, 1, now, Ct), b.Store.MarkConfirmedAsync(id, 1, now, Ct) }));
        Assert.Equal(40, confirmed.Count(c => c));
        Assert.Equal(0, await a.Store.CountPendingAsync(Ct));
        Assert.Null(await a.Store.NextDueAtAsync(Ct));
    }

    [Fact]
    public async Task The_built_in_order_API_takes_a_key_once_across_nodes_and_lists_bodies_with_their_status()
    {
        await using var postgres = await PostgresServer.StartAsync();
        var connectionString = await postgres.CreateDatabaseAsync("builtin");
        await using var a = Node.Open(connectionString, "node-a");
        await using var b = Node.Open(connectionString, "node-b");
        await using var storeA = new PostgresBuiltInOrderStore(a.Chat);
        await using var storeB = new PostgresBuiltInOrderStore(b.Chat);
        var now = DateTimeOffset.UtcNow;
        var answers = await Task.WhenAll(Enumerable.Range(0, 50).SelectMany(i => new[]
        {
            storeA.AcceptAsync($"ord_{i}", $"ord_{i}", "c1", $$"""{"orderId":"ord_{{i}}","quantity":1}""", $$"""{"orderId":"ord_{{i}}","status":"confirmed","node":"a"}""", now, Ct),
            storeB.AcceptAsync($"ord_{i}", $"ord_{i}", "c1", $$"""{"orderId":"ord_{{i}}","quantity":1}""", $$"""{"orderId":"ord_{{i}}","status":"confirmed","node":"b"}""", now, Ct),
        }));
        Assert.Equal(50, answers.Count(x => x.Created));
        // Both calls of a key answer the same first answer.
        Assert.All(answers.Chunk(2), pair => Assert.Equal(pair[0].ResponseJson, pair[1].ResponseJson));
        var bodies = await storeB.ListBodiesAsync("c1", Ct);
        Assert.Equal(50, bodies.Count);
        Assert.All(bodies, body => Assert.EndsWith("""
            "quantity":1,"status":"confirmed"}
            """, body));
        var page = await storeA.ListBodiesAsync("c1", null, 20, Ct);
        var next = await storeA.ListBodiesAsync("c1", page[^1].Position, 100, Ct);
        Assert.Equal(50, page.Count + next.Count);

        var deadLetters = new PostgresDeadLetters(a.Chat);
        Assert.Equal(RedeliveryOutcome.UnknownOrder, (await deadLetters.RedeliverAsync("ord_nope", now, Ct)).Outcome);
    }
}
