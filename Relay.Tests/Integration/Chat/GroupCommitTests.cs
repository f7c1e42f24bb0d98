using Microsoft.AspNetCore.SignalR.Client;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging.Abstractions;
using Relay.Chat.Contracts;
using Relay.Chat.Ledger;
using Relay.Chat.Storage;
using Relay.Tests.Common.Hosts;
using Relay.Tests.Common.Chat;

namespace Relay.Tests.Integration.Chat;

/// <summary>
/// Group commit of reservations and the in-memory sold-out answer: exactness under concurrency, idempotency (within
/// a batch, across batches, after a restart), one bad reservation failing alone, and the in-memory answer giving way
/// when stock comes back. Kill -9 durability of a `reserved` answer is Faults/RelayCrashTests.
/// </summary>
public sealed class GroupCommitTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Group_commit_sells_exactly_the_quantity_in_arrival_order_keeps_every_key_and_fails_a_bad_reservation_alone()
    {
        var dir = Directory.CreateTempSubdirectory("relay-group-commit-").FullName;
        var connectionString = $"Data Source={Path.Combine(dir, "relay.db")}";
        try
        {
            var now = DateTimeOffset.UtcNow;
            FlashSaleRecord sale;
            var calls = new List<(ReservationRequest Request, Task<ReservationOutcome> Outcome)>();
            await using (var database = new ChatDatabase(connectionString, NullLogger<ChatDatabase>.Instance))
            await using (var store = new SqliteCommerceStore(database))
            {
                sale = await store.StartFlashSaleAsync("c1", "S", 500, "EUR", 100, now.AddMinutes(10), null, Ct);
                ReservationRequest Buy(int buyer, string? currency = "EUR") => new(
                    "c1", $"user_{buyer}", $"Buyer {buyer}", $"key-{buyer}", "S", 1, 500, currency!, null, sale.SaleId, false, now);

                // Hold the write gate so everything below queues and goes into big batches once it opens.
                var gateHeld = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                var holder = database.WriteAsync(async (_, _) => { gateHeld.SetResult(); await release.Task; return 0; }, Ct);
                await gateHeld.Task;

                calls.Add((Buy(0), store.ReserveAsync(Buy(0), Ct)));
                // NOT NULL currency: this one's INSERT fails, which rolls back its whole batch.
                var bad = store.ReserveAsync(Buy(1, currency: null), Ct);
                for (var i = 2; i < 1000; i++) calls.Add((Buy(i), store.ReserveAsync(Buy(i), Ct)));
                // Retries of the first 100 keys, behind everything else.
                for (var i = 2; i < 102; i++) calls.Add((Buy(i), store.ReserveAsync(Buy(i), Ct)));
                release.SetResult();
                await holder;

                await Assert.ThrowsAsync<SqliteException>(() => bad);
                var outcomes = await Task.WhenAll(calls.Select(c => c.Outcome));
                // First come, first served: buyer 0 and buyers 2..100 (the first 100 good ones) got the 100 units.
                var reserved = outcomes.Take(999).Select((o, i) => (o, i)).Where(x => x.o.Kind == ReservationKind.Reserved).ToList();
                Assert.Equal(100, reserved.Count);
                Assert.Equal(Enumerable.Range(0, 100), reserved.Select(x => x.i));
                Assert.All(outcomes.Skip(100).Take(899), o => Assert.Equal(ReservationKind.SoldOut, o.Kind));
                Assert.All(outcomes.Skip(100).Take(899), o => Assert.Equal(0, o.FlashRemaining));
                // The retries answer the first order, whether in the same batch or a later one.
                var byKey = calls.Take(999).Zip(outcomes).Where(x => x.Second.Kind == ReservationKind.Reserved)
                    .ToDictionary(x => x.First.Request.IdempotencyKey, x => x.Second.OrderId);
                foreach (var (call, outcome) in calls.Skip(999).Zip(outcomes.Skip(999)))
                {
                    if (!byKey.TryGetValue(call.Request.IdempotencyKey, out var first)) continue;
                    Assert.Equal((ReservationKind.Duplicate, first), (outcome.Kind, outcome.OrderId));
                }
                Assert.Equal(99, calls.Skip(999).Count(c => byKey.ContainsKey(c.Request.IdempotencyKey)));
            }

            // "Restart": a new database object and store on the same file see every committed reservation.
            await using (var database = new ChatDatabase(connectionString, NullLogger<ChatDatabase>.Instance))
            await using (var store = new SqliteCommerceStore(database))
            {
                Assert.Equal(0, (await store.FindActiveFlashSaleAsync("c1", now, Ct))!.Remaining);
                var orders = await store.ListByChannelAsync("c1", Ct);
                Assert.Equal(100, orders.Count);
                Assert.Equal(100, orders.Select(o => o.OrderId).Distinct().Count());
                foreach (var order in orders)
                    Assert.Equal(order.OrderId, await store.FindReservationAsync("c1", order.BuyerId, "key-" + order.BuyerId["user_".Length..], Ct));
            }
        }
        finally
        {
            SqliteConnection.ClearAllPools();
            try { Directory.Delete(dir, recursive: true); } catch (IOException) { }
        }
    }

    [Theory, MemberData(nameof(Hub.Protocols), MemberType = typeof(Hub))]
    public async Task Sold_out_answered_in_memory_keeps_a_reserved_key_reserved_and_gives_way_when_a_failed_order_returns_the_unit(string protocol)
    {
        await using var api = await ScriptedOrderApi.StartAsync();
        var refuse = false;
        // The first order is answered 503 (kept pending) until the test lets the API refuse it for good.
        api.Script = call => call.Order.BuyerName == "first" ? new ScriptedAnswer(refuse ? 422 : 503) : ScriptedAnswer.Created();
        await using var host = await ChatTestHost.StartAsync(new Dictionary<string, string?>
        {
            ["Relay:Orders:Endpoint"] = api.Endpoint.ToString(),
            ["Relay:Orders:MaxAttempts"] = "1000",
        });
        host.AllowedErrors.Add("dead-lettered");
        await using var seller = await Buyers.JoinedAsync(host, protocol, ChatTestHost.HostKey);
        await using var first = await Buyers.JoinedAsync(host, protocol, name: "first");
        await using var second = await Buyers.JoinedAsync(host, protocol, name: "second");
        var firstOrders = new EventInbox<OrderEvent>(first, "order");
        await seller.InvokeAsync("StartFlashSale", new FlashSaleRequest { Sku = "LIP-1", PriceCents = 700, Quantity = 1, DurationSeconds = 60 }, Ct);

        var bought = await first.BuyAsync("LIP-1", 1, "click-1");
        Assert.Equal(PurchaseStatus.Reserved, bought.Status);
        // Sold out: the ledger says so once, then the room answers from memory.
        for (var i = 0; i < 5; i++) Assert.Equal(PurchaseStatus.SoldOut, (await second.BuyAsync("LIP-1", 1, $"s-{i}")).Status);
        Assert.Equal(PurchaseStatus.SoldOut, (await first.BuyAsync("LIP-1", 1, "click-2")).Status);
        // The key that reserved still answers its order, also while sold out.
        Assert.Equal((PurchaseStatus.Reserved, bought.OrderId), ((await first.BuyAsync("LIP-1", 1, "click-1")).Status, (await first.BuyAsync("LIP-1", 1, "click-1")).OrderId));
        Assert.Single(await Buyers.ChannelOrdersAsync(host));

        // The order API refuses the order for good: the unit comes back and the in-memory sold-out gives way at once.
        refuse = true;
        var failed = await firstOrders.NextAsync(10);
        Assert.Equal((bought.OrderId, "failed"), (failed.OrderId, failed.Status));
        var again = await second.BuyAsync("LIP-1", 1, "s-after");
        Assert.Equal(PurchaseStatus.Reserved, again.Status);
        Assert.Equal(PurchaseStatus.SoldOut, (await second.BuyAsync("LIP-1", 1, "s-after-2")).Status);
        var orders = await Buyers.ChannelOrdersAsync(host);
        Assert.Equal(2, orders.Count);
        Assert.Equal("failed", orders.Single(o => o.OrderId == bought.OrderId).Status);
    }

    [Theory, MemberData(nameof(Hub.Protocols), MemberType = typeof(Hub))]
    public async Task A_viewers_key_answers_the_same_order_after_a_restart_even_once_sold_out(string protocol)
    {
        const string jwtKey = "viewer-jwt-key-for-tests-0123456789abcdef";
        var settings = new Dictionary<string, string?> { ["Relay:Auth:ViewerJwtKey"] = jwtKey };
        var dataDir = Directory.CreateTempSubdirectory("relay-restart-keys-").FullName;
        var token = PurchaseTests.Token("u7", "Ann", DateTime.UtcNow.AddMinutes(10), jwtKey);
        try
        {
            string orderId;
            await using (var host = await ChatTestHost.StartAsync(settings, dataDir: dataDir))
            {
                await using var seller = await Buyers.JoinedAsync(host, protocol, ChatTestHost.HostKey);
                await using var ann = await Buyers.JoinedAsync(host, protocol, token);
                await seller.InvokeAsync("StartFlashSale", new FlashSaleRequest { Sku = "LIP-1", PriceCents = 700, Quantity = 1, DurationSeconds = 600 }, Ct);
                var bought = await ann.BuyAsync("LIP-1", 1, "k-1");
                Assert.Equal(PurchaseStatus.Reserved, bought.Status);
                orderId = bought.OrderId!;
            }

            await using (var host = await ChatTestHost.StartAsync(settings, dataDir: dataDir))
            {
                await using var guest = await Buyers.JoinedAsync(host, protocol);
                Assert.Equal(PurchaseStatus.SoldOut, (await guest.BuyAsync("LIP-1", 1, "g-1")).Status);
                Assert.Equal(PurchaseStatus.SoldOut, (await guest.BuyAsync("LIP-1", 1, "g-2")).Status);
                // Another connection of the same viewer, in a new process: same key, same order, no second order.
                await using var ann = await Buyers.JoinedAsync(host, protocol, token);
                Assert.Equal((PurchaseStatus.Reserved, orderId), ((await ann.BuyAsync("LIP-1", 1, "k-1")).Status, (await ann.BuyAsync("LIP-1", 1, "k-1")).OrderId));
                Assert.Equal(PurchaseStatus.SoldOut, (await ann.BuyAsync("LIP-1", 1, "k-2")).Status);
                Assert.Single(await Buyers.ChannelOrdersAsync(host));
            }
        }
        finally
        {
            SqliteConnection.ClearAllPools();
            try { Directory.Delete(dataDir, recursive: true); } catch (IOException) { }
        }
    }
}
