using System.Collections.Concurrent;
using System.Text;
using Microsoft.AspNetCore.SignalR.Client;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;
using Relay.Chat.Contracts;
using Relay.Tests.Common.Hosts;
using Relay.Tests.Common.Chat;

namespace Relay.Tests.Integration.Chat;

public sealed class PurchaseTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;
    private const string JwtKey = "viewer-jwt-key-for-tests-0123456789abcdef";

    [Theory, MemberData(nameof(Hub.Protocols), MemberType = typeof(Hub))]
    public async Task Flash_sale_of_20_hit_by_200_concurrent_purchases_from_50_connections_sells_exactly_20(string protocol)
    {
        // Each guest buys up to 4 times here: this test is about stock, not the per-buyer cap.
        await using var host = await ChatTestHost.StartAsync(new Dictionary<string, string?> { ["Relay:Commerce:MaxUnitsPerBuyerPerSale"] = "4" });
        await using var seller = await Buyers.JoinedAsync(host, protocol, ChatTestHost.HostKey);
        var buyers = new List<HubConnection>();
        try
        {
            await Task.WhenAll(Enumerable.Range(0, 50).Select(async i =>
            {
                var c = await Buyers.JoinedAsync(host, protocol, name: $"buyer{i}");
                lock (buyers) buyers.Add(c);
            }));
            var stock = new EventInbox<StockEvent>(buyers[0], "stock");
            await seller.InvokeAsync("StartFlashSale", new FlashSaleRequest { Sku = "LIP-1", PriceCents = 999, Quantity = 20, DurationSeconds = 60 }, Ct);

            var results = new ConcurrentBag<PurchaseResult>();
            var clock = System.Diagnostics.Stopwatch.StartNew();
            await Task.WhenAll(Enumerable.Range(0, 200).Select(async i =>
                results.Add(await buyers[i % 50].BuyAsync("LIP-1", 1, $"key-{i}"))));
            TestContext.Current.TestOutputHelper?.WriteLine($"200 purchases over 50 {protocol} connections answered in {clock.ElapsedMilliseconds} ms");

            Assert.Equal(20, results.Count(r => r.Status == PurchaseStatus.Reserved));
            Assert.Equal(180, results.Count(r => r.Status == PurchaseStatus.SoldOut));
            Assert.Equal(20, results.Where(r => r.OrderId is not null).Select(r => r.OrderId).Distinct().Count());
            Assert.Equal(0, (await stock.NextMatchingAsync(s => s.Remaining == 0)).Remaining);
            Assert.DoesNotContain(stock.All, s => s.Remaining < 0 || s.Remaining > 20);

            var snapshot = await seller.InvokeAsync<JoinSnapshot>("Join", ChatTestHost.Channel, new JoinOptions(), Ct);
            Assert.Equal(0, snapshot.FlashSale!.Remaining);
            var orders = await Buyers.ChannelOrdersAsync(host);
            Assert.Equal(20, orders.Count);
            Assert.All(orders, o => { Assert.True(o.FlashSale); Assert.Equal(999, o.UnitPriceCents); });
        }
        finally
        {
            await Task.WhenAll(buyers.Select(b => b.DisposeAsync().AsTask()));
        }
    }

    [Theory, MemberData(nameof(Hub.Protocols), MemberType = typeof(Hub))]
    public async Task A_repeated_idempotency_key_gets_the_same_answer_and_one_order(string protocol)
    {
        await using var host = await ChatTestHost.StartAsync();
        await using var seller = await Buyers.JoinedAsync(host, protocol, ChatTestHost.HostKey);
        await using var buyer = await Buyers.JoinedAsync(host, protocol);
        await using var other = await Buyers.JoinedAsync(host, protocol);
        await seller.InvokeAsync("Pin", "SER-1", Ct);

        var first = await buyer.BuyAsync("SER-1", 2, "click-1");
        var concurrent = await Task.WhenAll(Enumerable.Range(0, 5).Select(_ => buyer.BuyAsync("SER-1", 2, "click-1")));
        Assert.Equal(PurchaseStatus.Reserved, first.Status);
        Assert.All(concurrent, r => Assert.Equal((first.Status, first.OrderId), (r.Status, r.OrderId)));
        // After the pin is gone the same key still answers what it answered.
        await seller.InvokeAsync("Unpin", Ct);
        var later = await buyer.BuyAsync("SER-1", 2, "click-1");
        Assert.Equal(first.OrderId, later.OrderId);
        await seller.InvokeAsync("Pin", "SER-1", Ct);
        // Keys are per buyer: someone else's identical key is their own purchase.
        var others = await other.BuyAsync("SER-1", 2, "click-1");
        Assert.NotEqual(first.OrderId, others.OrderId);

        var orders = await Buyers.ChannelOrdersAsync(host);
        Assert.Equal(2, orders.Count);
        var snapshot = await seller.InvokeAsync<JoinSnapshot>("Join", ChatTestHost.Channel, new JoinOptions(), Ct);
        Assert.Equal(1, snapshot.Pinned!.Stock);
    }

    [Theory, MemberData(nameof(Hub.Protocols), MemberType = typeof(Hub))]
    public async Task Limited_lineup_stock_never_oversells_and_the_flash_sale_ends_on_time(string protocol)
    {
        await using var host = await ChatTestHost.StartAsync();
        await using var seller = await Buyers.JoinedAsync(host, protocol, ChatTestHost.HostKey);
        await using var buyer = await Buyers.JoinedAsync(host, protocol);
        var sales = new EventInbox<FlashSaleView>(buyer, "flashSale");
        await seller.InvokeAsync("Pin", "SER-1", Ct);
        Assert.Equal(PurchaseStatus.Reserved, (await buyer.BuyAsync("SER-1", 3, "a")).Status);
        Assert.Equal(PurchaseStatus.SoldOut, (await buyer.BuyAsync("SER-1", 3, "b")).Status);
        Assert.Equal(PurchaseStatus.Reserved, (await buyer.BuyAsync("SER-1", 2, "c")).Status);
        Assert.Equal(PurchaseStatus.SoldOut, (await buyer.BuyAsync("SER-1", 1, "d")).Status);

        await seller.InvokeAsync("StartFlashSale", new FlashSaleRequest { Sku = "LIP-1", PriceCents = 500, Quantity = 3, DurationSeconds = 1 }, Ct);
        var started = await sales.NextAsync();
        Assert.True(started.Active);
        Assert.Equal((3, 3, 500L), (started.Quantity, started.Remaining, started.PriceCents));
        Assert.Equal(PurchaseStatus.Reserved, (await buyer.BuyAsync("LIP-1", 1, "e")).Status);
        var ended = await sales.NextAsync(5);
        Assert.False(ended.Active);
        Assert.Equal(2, ended.Remaining);
        // The sale is over, the product is still in the line-up: it sells at its list price (the bag).
        Assert.Equal(PurchaseStatus.Reserved, (await buyer.BuyAsync("LIP-1", 1, "f")).Status);
        Assert.Null((await buyer.InvokeAsync<JoinSnapshot>("Join", ChatTestHost.Channel, new JoinOptions(), Ct)).FlashSale);
    }

    [Theory, MemberData(nameof(Hub.Protocols), MemberType = typeof(Hub))]
    public async Task Without_guest_checkout_only_signed_in_viewers_buy_and_their_referrer_travels_with_the_order(string protocol)
    {
        var api = await ScriptedOrderApi.StartAsync();
        await using var _ = api;
        await using var host = await ChatTestHost.StartAsync(new Dictionary<string, string?>
        {
            ["Relay:Commerce:AllowGuestCheckout"] = "false",
            ["Relay:Auth:ViewerJwtKey"] = JwtKey,
            ["Relay:Orders:Endpoint"] = api.Endpoint.ToString(),
        });
        await using var seller = await Buyers.JoinedAsync(host, protocol, ChatTestHost.HostKey);
        await using var guest = await Buyers.JoinedAsync(host, protocol);
        await using var ann = await Buyers.JoinedAsync(host, protocol, Token("u42", "Ann", DateTime.UtcNow.AddMinutes(5)), referrer: "creator-7");
        await seller.InvokeAsync("Pin", "LIP-1", Ct);

        Assert.Equal(PurchaseStatus.LoginRequired, (await guest.BuyAsync("LIP-1", 1, "g")).Status);
        var bought = await ann.BuyAsync("LIP-1", 2, "k");
        Assert.Equal(PurchaseStatus.Reserved, bought.Status);
        await Buyers.WaitForOrdersAsync(host, o => o.Count == 1 && o[0].Status == "confirmed");
        var sent = api.Orders[bought.OrderId!];
        Assert.Equal(("user_u42", "Ann", "creator-7", 2, 1999L, "EUR", ChatTestHost.Channel, false),
            (sent.BuyerId, sent.BuyerName, sent.Referrer, sent.Quantity, sent.UnitPriceCents, sent.Currency, sent.ChannelId, sent.FlashSale));

        await using var expired = host.Connect(protocol, Token("u43", "Old", DateTime.UtcNow.AddMinutes(-5)));
        await using var forged = host.Connect(protocol, Token("u44", "Eve", DateTime.UtcNow.AddMinutes(5), "some-other-key-0123456789abcdefghijkl"));
        await Task.WhenAll(expired.StartAsync(Ct), forged.StartAsync(Ct));
        await ChatHubTests.Refused("unauthorized", () => expired.InvokeAsync<JoinSnapshot>("Join", ChatTestHost.Channel, new JoinOptions(), Ct));
        await ChatHubTests.Refused("unauthorized", () => forged.InvokeAsync<JoinSnapshot>("Join", ChatTestHost.Channel, new JoinOptions(), Ct));

        // Tokens travel in the query string (as browsers send them); request logging must not print them.
        Assert.NotEmpty(host.Logs);
        foreach (var secret in new[] { ChatTestHost.HostKey, JwtKey, "eyJ" })
            Assert.DoesNotContain(host.Logs, line => line.Contains(secret, StringComparison.Ordinal));
    }

    internal static string Token(string sub, string name, DateTime expires, string key = JwtKey) =>
        new JsonWebTokenHandler().CreateToken(new SecurityTokenDescriptor
        {
            Claims = new Dictionary<string, object> { ["sub"] = sub, ["name"] = name },
            NotBefore = expires.AddMinutes(-30),
            IssuedAt = expires.AddMinutes(-30),
            Expires = expires,
            SigningCredentials = new SigningCredentials(new SymmetricSecurityKey(Encoding.UTF8.GetBytes(key)), SecurityAlgorithms.HmacSha256),
        });
}
