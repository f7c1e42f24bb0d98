using Microsoft.AspNetCore.SignalR.Client;
using Microsoft.Extensions.Options;
using Relay.Chat.Contracts;
using Relay.Tests.Common.Hosts;
using Relay.Tests.Common.Chat;

namespace Relay.Tests.Integration.Chat;

/// <summary>
/// Per-buyer caps (contract v2): `Commerce:MaxUnitsPerBuyerPerSale` units of one flash sale and
/// `Commerce:MaxUnitsPerBuyerPerSku` units of one product, counted from the store, so one buyer firing purchases from
/// several connections at once, or coming back on a new connection, never gets past them.
/// </summary>
public sealed class BuyerCapTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;
    private const string JwtKey = "viewer-jwt-key-for-buyer-caps-0123456789";

    private static Task<ChatTestHost> StartAsync() =>
        ChatTestHost.StartAsync(new Dictionary<string, string?> { ["Relay:Auth:ViewerJwtKey"] = JwtKey });

    private static string Viewer(string sub) => PurchaseTests.Token(sub, sub, DateTime.UtcNow.AddMinutes(10), JwtKey);

    [Theory, MemberData(nameof(Hub.Protocols), MemberType = typeof(Hub))]
    public async Task One_buyer_on_four_connections_buying_at_once_and_after_a_reconnect_never_passes_the_caps(string protocol)
    {
        await using var host = await StartAsync();
        await using var seller = await Buyers.JoinedAsync(host, protocol, ChatTestHost.HostKey);
        var ann = Viewer("ann");
        var connections = new List<HubConnection>();
        string reservedKey;
        try
        {
            for (var i = 0; i < 4; i++) connections.Add(await Buyers.JoinedAsync(host, protocol, ann));
            await seller.InvokeAsync("StartFlashSale", new FlashSaleRequest { Sku = "LIP-1", PriceCents = 500, Quantity = 50, DurationSeconds = 60 }, Ct);

            // 20 purchases of one unit in the sale, five per connection, all in flight together: the cap is 2.
            var inSale = await Task.WhenAll(Enumerable.Range(0, 20).Select(i => connections[i % 4].BuyAsync("LIP-1", 1, $"sale-{i}")));
            Assert.Equal(2, inSale.Count(r => r.Status == PurchaseStatus.Reserved));
            Assert.Equal(18, inSale.Count(r => r.Status == PurchaseStatus.LimitExceeded));
            Assert.All(inSale.Where(r => r.Status == PurchaseStatus.LimitExceeded), r => Assert.Null(r.OrderId));
            Assert.Contains("per buyer in a flash sale", inSale.First(r => r.Status == PurchaseStatus.LimitExceeded).Reason);

            // Someone else is not affected.
            await using (var bob = await Buyers.JoinedAsync(host, protocol, Viewer("bob")))
                Assert.Equal(PurchaseStatus.Reserved, (await bob.BuyAsync("LIP-1", 2, "bob-1")).Status);

            // After the sale the product cap (10) counts the 2 units bought in it: 8 more, whatever the concurrency.
            await seller.InvokeAsync("EndFlashSale", Ct);
            await seller.InvokeAsync("Pin", "LIP-1", Ct);
            var pinned = await Task.WhenAll(Enumerable.Range(0, 16).Select(i => connections[i % 4].BuyAsync("LIP-1", 1, $"pin-{i}")));
            Assert.Equal(8, pinned.Count(r => r.Status == PurchaseStatus.Reserved));
            Assert.Equal(8, pinned.Count(r => r.Status == PurchaseStatus.LimitExceeded));
            reservedKey = $"pin-{Array.FindIndex(pinned, r => r.Status == PurchaseStatus.Reserved)}";
        }
        finally
        {
            foreach (var c in connections) await c.DisposeAsync();
        }

        // A new connection is the same buyer: the store remembers what they hold.
        await using var again = await Buyers.JoinedAsync(host, protocol, ann);
        var refused = await again.BuyAsync("LIP-1", 1, "after-reconnect");
        Assert.Equal(PurchaseStatus.LimitExceeded, refused.Status);
        Assert.Contains("of this product per buyer", refused.Reason);
        // A retried key still answers its order: the cap is about new units.
        Assert.Equal(PurchaseStatus.Reserved, (await again.BuyAsync("LIP-1", 1, reservedKey)).Status);
        // Another product has its own cap.
        await seller.InvokeAsync("Pin", "SER-1", Ct);
        Assert.Equal(PurchaseStatus.Reserved, (await again.BuyAsync("SER-1", 1, "serum")).Status);

        var orders = await Buyers.ChannelOrdersAsync(host);
        Assert.Equal(10, orders.Where(o => o.BuyerId == "user_ann" && o.Sku == "LIP-1").Sum(o => o.Quantity));
        Assert.Equal(2, orders.Where(o => o.BuyerId == "user_ann" && o.FlashSale).Sum(o => o.Quantity));
    }

    [Theory, MemberData(nameof(Hub.Protocols), MemberType = typeof(Hub))]
    public async Task A_guest_with_a_guest_token_cannot_drain_a_sale_over_several_connections_and_reconnects(string protocol)
    {
        // The review's H3: one guest client opening connections and buying until the sale is gone. With its guest token
        // it is one buyer on every connection, so the sale cap holds whatever it does.
        await using var host = await ChatTestHost.StartAsync(Guests.Unlimited());
        await using var seller = await Buyers.JoinedAsync(host, protocol, ChatTestHost.HostKey);
        await seller.InvokeAsync("StartFlashSale", new FlashSaleRequest { Sku = "LIP-1", PriceCents = 100, Quantity = 100, DurationSeconds = 60 }, Ct);
        var guest = await Guests.MintAsync(host);

        var answers = new List<PurchaseResult>();
        for (var round = 0; round < 3; round++)
        {
            var connections = new List<HubConnection>();
            try
            {
                for (var i = 0; i < 4; i++) connections.Add(await Buyers.JoinedAsync(host, protocol, guest.GuestToken));
                answers.AddRange(await Task.WhenAll(Enumerable.Range(0, 8).Select(i =>
                    connections[i % 4].BuyAsync("LIP-1", 1 + i % 2, $"r{round}-{i}"))));
            }
            finally
            {
                foreach (var c in connections) await c.DisposeAsync();
            }
        }
        var reserved = answers.Where(r => r.Status == PurchaseStatus.Reserved).ToList();
        Assert.True(reserved.Count is 1 or 2, $"{reserved.Count} purchases reserved");
        Assert.All(answers.Where(r => r.Status != PurchaseStatus.Reserved), r => Assert.Equal(PurchaseStatus.LimitExceeded, r.Status));

        var orders = await Buyers.ChannelOrdersAsync(host);
        Assert.Equal(2, orders.Where(o => o.BuyerId == guest.GuestId && o.FlashSale).Sum(o => o.Quantity));
        Assert.All(orders, o => Assert.Equal(guest.GuestId, o.BuyerId));
    }

    [Theory, MemberData(nameof(Hub.Protocols), MemberType = typeof(Hub))]
    public async Task Units_of_a_failed_order_no_longer_count_against_the_buyer(string protocol)
    {
        await using var api = await ScriptedOrderApi.StartAsync();
        var refuse = false;
        // The 2-unit order stays pending (503, retried) until the test lets the API refuse it for good.
        api.Script = call => call.Order.Quantity == 2 ? new ScriptedAnswer(Volatile.Read(ref refuse) ? 422 : 503) : ScriptedAnswer.Created();
        await using var host = await ChatTestHost.StartAsync(new Dictionary<string, string?>
        {
            ["Relay:Auth:ViewerJwtKey"] = JwtKey,
            ["Relay:Orders:Endpoint"] = api.Endpoint.ToString(),
            ["Relay:Orders:MaxAttempts"] = "1000",
        });
        await using var seller = await Buyers.JoinedAsync(host, protocol, ChatTestHost.HostKey);
        await using var ann = await Buyers.JoinedAsync(host, protocol, Viewer("ann"));
        await seller.InvokeAsync("StartFlashSale", new FlashSaleRequest { Sku = "LIP-1", PriceCents = 500, Quantity = 50, DurationSeconds = 60 }, Ct);

        var refusedByApi = await ann.BuyAsync("LIP-1", 2, "two");
        Assert.Equal(PurchaseStatus.Reserved, refusedByApi.Status);
        Assert.Equal(PurchaseStatus.LimitExceeded, (await ann.BuyAsync("LIP-1", 1, "third")).Status);
        Volatile.Write(ref refuse, true);
        await Buyers.WaitForOrdersAsync(host, o => o.Any(x => x.OrderId == refusedByApi.OrderId && x.Status == "failed"));
        Assert.Equal(PurchaseStatus.Reserved, (await ann.BuyAsync("LIP-1", 1, "one")).Status);
        Assert.Equal(PurchaseStatus.Reserved, (await ann.BuyAsync("LIP-1", 1, "one-more")).Status);
        Assert.Equal(PurchaseStatus.LimitExceeded, (await ann.BuyAsync("LIP-1", 1, "too-many")).Status);
    }

    [Theory, MemberData(nameof(Hub.Protocols), MemberType = typeof(Hub))]
    public async Task The_caps_hold_across_a_restart_because_the_store_counts_them(string protocol)
    {
        var dataDir = Directory.CreateTempSubdirectory("relay-caps-restart-").FullName;
        try
        {
            var settings = new Dictionary<string, string?> { ["Relay:Auth:ViewerJwtKey"] = JwtKey };
            await using (var first = await ChatTestHost.StartAsync(settings, dataDir: dataDir))
            {
                await using var seller = await Buyers.JoinedAsync(first, protocol, ChatTestHost.HostKey);
                await seller.InvokeAsync("StartFlashSale", new FlashSaleRequest { Sku = "LIP-1", PriceCents = 500, Quantity = 50, DurationSeconds = 600 }, Ct);
                await using var ann = await Buyers.JoinedAsync(first, protocol, Viewer("ann"));
                Assert.Equal(PurchaseStatus.Reserved, (await ann.BuyAsync("LIP-1", 2, "before")).Status);
            }

            // A new process on the same database: the running sale is back, and so is what ann holds in it.
            await using var second = await ChatTestHost.StartAsync(settings, dataDir: dataDir);
            await using var again = await Buyers.JoinedAsync(second, protocol, Viewer("ann"));
            Assert.Equal(PurchaseStatus.LimitExceeded, (await again.BuyAsync("LIP-1", 1, "after")).Status);
            await using var bob = await Buyers.JoinedAsync(second, protocol, Viewer("bob"));
            Assert.Equal(PurchaseStatus.Reserved, (await bob.BuyAsync("LIP-1", 2, "bob")).Status);
        }
        finally
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            try { Directory.Delete(dataDir, recursive: true); } catch (IOException) { }
        }
    }

    [Fact]
    public async Task Caps_below_one_stop_start_naming_the_key()
    {
        var ex = await Assert.ThrowsAsync<OptionsValidationException>(() => ChatTestHost.StartAsync(new Dictionary<string, string?>
        {
            ["Relay:Commerce:MaxUnitsPerBuyerPerSale"] = "0",
            ["Relay:Commerce:MaxUnitsPerBuyerPerSku"] = "-1",
        }));
        Assert.Contains("Relay:Commerce:MaxUnitsPerBuyerPerSale must be between 1 and 1000000", ex.Message);
        Assert.Contains("Relay:Commerce:MaxUnitsPerBuyerPerSku must be between 1 and 1000000", ex.Message);
    }
}
