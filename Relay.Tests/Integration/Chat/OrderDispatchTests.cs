using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.SignalR.Client;
using Microsoft.Extensions.Options;
using Relay.Chat.Contracts;
using Relay.Tests.Common.Hosts;
using Relay.Tests.Common.Chat;

namespace Relay.Tests.Integration.Chat;

public sealed class OrderDispatchTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Theory, MemberData(nameof(Hub.Protocols), MemberType = typeof(Hub))]
    public async Task Orders_answered_503_twice_then_201_are_all_confirmed_once_and_announced(string protocol)
    {
        await using var api = await ScriptedOrderApi.StartAsync();
        api.Script = call => call.Authorization != "Bearer brand-api-key" ? new ScriptedAnswer(401)
            : call.Attempt <= 2 ? new ScriptedAnswer(503) : ScriptedAnswer.Created();
        await using var host = await ChatTestHost.StartAsync(new Dictionary<string, string?>
        {
            ["Relay:Orders:Endpoint"] = api.Endpoint.ToString(),
            ["Relay:Orders:ApiKey"] = "brand-api-key",
        });
        await using var seller = await Buyers.JoinedAsync(host, protocol, ChatTestHost.HostKey);
        var toasts = new EventInbox<PurchaseToast>(seller, "purchase");
        await seller.InvokeAsync("StartFlashSale", new FlashSaleRequest { Sku = "LIP-1", PriceCents = 700, Quantity = 6, DurationSeconds = 60 }, Ct);
        var buyers = new List<(HubConnection Connection, EventInbox<OrderEvent> Orders)>();
        try
        {
            for (var i = 0; i < 8; i++)
            {
                var c = await Buyers.JoinedAsync(host, protocol, name: $"b{i}");
                buyers.Add((c, new EventInbox<OrderEvent>(c, "order")));
            }
            var results = await Task.WhenAll(buyers.Select((b, i) => b.Connection.BuyAsync("LIP-1", 1, $"k{i}")));
            var reserved = results.Where(r => r.Status == PurchaseStatus.Reserved).Select(r => r.OrderId!).ToHashSet();
            Assert.Equal(6, reserved.Count);

            var orders = await Buyers.WaitForOrdersAsync(host, o => o.Count == 6 && o.All(x => x.Status == "confirmed"));
            Assert.All(orders, o => Assert.Equal(3, o.Attempts));
            Assert.Equal(reserved.Order(), api.Taken.Keys.Order());
            Assert.All(api.Taken.Values, times => Assert.Equal(1, times));
            Assert.All(reserved, id => Assert.Equal(3, api.Attempts[id]));
            Assert.DoesNotContain(api.Answers, answer => answer.Status == 401);
            Assert.Empty(api.Problems);

            for (var i = 0; i < buyers.Count; i++)
            {
                if (results[i].Status != PurchaseStatus.Reserved) continue;
                var told = await buyers[i].Orders.NextAsync();
                Assert.Equal((results[i].OrderId, "confirmed"), (told.OrderId, told.Status));
            }
            for (var i = 0; i < 6; i++) Assert.Equal("LIP-1", (await toasts.NextAsync()).Sku);
            Assert.True(await toasts.StaysQuietAsync(0.3));
        }
        finally
        {
            foreach (var b in buyers) await b.Connection.DisposeAsync();
        }
    }

    [Theory, MemberData(nameof(Hub.Protocols), MemberType = typeof(Hub))]
    public async Task A_422_fails_the_order_and_gives_the_stock_back(string protocol)
    {
        await using var api = await ScriptedOrderApi.StartAsync();
        api.Script = call => call.Order.Quantity == 4 ? new ScriptedAnswer(422) : ScriptedAnswer.Created();
        await using var host = await ChatTestHost.StartAsync(new Dictionary<string, string?> { ["Relay:Orders:Endpoint"] = api.Endpoint.ToString() });
        await using var seller = await Buyers.JoinedAsync(host, protocol, ChatTestHost.HostKey);
        await using var buyer = await Buyers.JoinedAsync(host, protocol);
        var told = new EventInbox<OrderEvent>(buyer, "order");
        var stock = new EventInbox<StockEvent>(buyer, "stock");
        await seller.InvokeAsync("Pin", "SER-1", Ct);

        var refused = await buyer.BuyAsync("SER-1", 4, "big");
        Assert.Equal(PurchaseStatus.Reserved, refused.Status);
        Assert.Equal(1, (await stock.NextMatchingAsync(s => s.Remaining == 1)).Remaining);
        var failed = await told.NextAsync();
        Assert.Equal((refused.OrderId, "failed"), (failed.OrderId, failed.Status));
        Assert.Equal(5, (await stock.NextMatchingAsync(s => s.Remaining == 5)).Remaining);

        // The released units really are sellable again.
        Assert.Equal(PurchaseStatus.Reserved, (await buyer.BuyAsync("SER-1", 5, "all")).Status);
        var orders = await Buyers.WaitForOrdersAsync(host, o => o.Count == 2 && o.All(x => x.Status != "pending"));
        Assert.Equal(["confirmed", "failed"], orders.Select(o => o.Status).Order());
        Assert.Equal(1, api.Attempts[refused.OrderId!]);
        Assert.False(api.Taken.ContainsKey(refused.OrderId!));
    }

    [Fact]
    public async Task Retries_stop_at_MaxAttempts_and_timeouts_count_as_retryable()
    {
        await using var api = await ScriptedOrderApi.StartAsync();
        // The first attempt of each stalls past the relay's timeout; the slow order is taken all the same.
        api.Script = call => (call.Order.Quantity == 1 ? new ScriptedAnswer(500) : ScriptedAnswer.Created())
            with { Stall = call.Attempt == 1 ? TimeSpan.FromSeconds(2) : TimeSpan.Zero };
        await using var host = await ChatTestHost.StartAsync(new Dictionary<string, string?>
        {
            ["Relay:Orders:Endpoint"] = api.Endpoint.ToString(),
            ["Relay:Orders:MaxAttempts"] = "3",
            ["Relay:Orders:TimeoutSeconds"] = "0.5",
        });
        host.AllowedErrors.Add("dead-lettered");
        await using var seller = await Buyers.JoinedAsync(host, "json", ChatTestHost.HostKey);
        await using var buyer = await Buyers.JoinedAsync(host, "json");
        await seller.InvokeAsync("Pin", "SER-1", Ct);
        var doomed = await buyer.BuyAsync("SER-1", 1, "x");
        var slow = await buyer.BuyAsync("SER-1", 2, "y");

        var orders = await Buyers.WaitForOrdersAsync(host, o => o.Count == 2 && o.All(x => x.Status != "pending"));
        var dead = orders.Single(o => o.OrderId == doomed.OrderId);
        Assert.Equal(("dead_letter", 3), (dead.Status, dead.Attempts));
        Assert.Equal(3, api.Attempts[doomed.OrderId!]);
        var late = orders.Single(o => o.OrderId == slow.OrderId);
        Assert.Equal(("confirmed", 2), (late.Status, late.Attempts));
        // Dead letters keep their stock: the API may have taken the order without answering.
        var snapshot = await buyer.InvokeAsync<JoinSnapshot>("Join", ChatTestHost.Channel, new JoinOptions(), Ct);
        Assert.Equal(2, snapshot.Pinned!.Stock);
        Assert.Contains(host.Logs.Errors, l => l.Contains("dead-lettered"));
    }

    [Theory, MemberData(nameof(Hub.Protocols), MemberType = typeof(Hub))]
    public async Task With_no_endpoint_the_built_in_order_API_takes_the_orders(string protocol)
    {
        await using var host = await ChatTestHost.StartAsync(new Dictionary<string, string?> { ["Relay:Orders:ApiKey"] = "local-key" });
        await using var seller = await Buyers.JoinedAsync(host, protocol, ChatTestHost.HostKey);
        await using var buyer = await Buyers.JoinedAsync(host, protocol, name: "Zoe", referrer: "ig-story");
        await seller.InvokeAsync("Pin", "LIP-1", Ct);
        var bought = await buyer.BuyAsync("LIP-1", 2, "z");
        await Buyers.WaitForOrdersAsync(host, o => o.Count == 1 && o[0].Status == "confirmed");

        using var http = host.Http();
        using var list = new HttpRequestMessage(HttpMethod.Get, $"/api/v1/orders?channel={ChatTestHost.Channel}");
        list.Headers.Authorization = new AuthenticationHeaderValue("Bearer", ChatTestHost.HostKey);
        using var response = await http.SendAsync(list, Ct);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var received = await response.Content.ReadFromJsonAsync<JsonElement>(Ct);
        var order = Assert.Single(received.EnumerateArray());
        Assert.Equal(bought.OrderId, order.GetProperty("orderId").GetString());
        Assert.Equal("ig-story", order.GetProperty("referrer").GetString());
        Assert.Equal("Zoe", order.GetProperty("buyerName").GetString());
        Assert.Equal(2, order.GetProperty("quantity").GetInt32());
    }

    [Fact]
    public async Task The_built_in_order_API_is_idempotent_and_answers_bad_input_with_problems()
    {
        await using var host = await ChatTestHost.StartAsync(new Dictionary<string, string?> { ["Relay:Orders:ApiKey"] = "local-key" });
        using var http = host.Http();
        var body = """{"orderId":"o1","channelId":"show1","sku":"LIP-1","quantity":1,"unitPriceCents":100,"currency":"EUR","buyerId":"b","buyerName":"B","referrer":null,"flashSale":false,"placedAt":"2026-01-01T00:00:00Z"}""";

        async Task<HttpResponseMessage> Post(string? bearer, string? key, string content)
        {
            var request = new HttpRequestMessage(HttpMethod.Post, "/api/v1/orders") { Content = new StringContent(content, Encoding.UTF8, "application/json") };
            if (bearer is not null) request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", bearer);
            if (key is not null) request.Headers.Add("Idempotency-Key", key);
            return await http.SendAsync(request, Ct);
        }

        Assert.Equal(HttpStatusCode.Unauthorized, (await Post(null, "o1", body)).StatusCode);
        // Contract v2: a token that is no credential at all is 401, not 403.
        Assert.Equal(HttpStatusCode.Unauthorized, (await Post("wrong", "o1", body)).StatusCode);
        await AssertProblem(await Post("local-key", null, body), "Idempotency-Key");
        await AssertProblem(await Post("local-key", "o1", "{not json"), "body");
        await AssertProblem(await Post("local-key", "o1", body.Replace("\"quantity\":1", "\"quantity\":0")), "quantity");
        await AssertProblem(await Post("local-key", "o1", body.Replace("\"quantity\":1", "\"quantity\":\"many\"")), "quantity");
        await AssertProblem(await Post("local-key", "o1", body.Replace("\"currency\":\"EUR\"", "\"currency\":\"\"")), "currency");

        var first = await Post("local-key", "o1", body);
        Assert.Equal(HttpStatusCode.Created, first.StatusCode);
        var again = await Post("local-key", "o1", body.Replace("\"quantity\":1", "\"quantity\":9"));
        Assert.Equal(HttpStatusCode.Created, again.StatusCode);
        Assert.Equal(await first.Content.ReadAsStringAsync(Ct), await again.Content.ReadAsStringAsync(Ct));
        Assert.Equal("confirmed", (await again.Content.ReadFromJsonAsync<JsonElement>(Ct)).GetProperty("status").GetString());

        using var noChannel = new HttpRequestMessage(HttpMethod.Get, "/api/v1/orders");
        noChannel.Headers.Authorization = new AuthenticationHeaderValue("Bearer", "local-key");
        await AssertProblem(await http.SendAsync(noChannel, Ct), "channel");
        using var listed = new HttpRequestMessage(HttpMethod.Get, "/api/v1/orders?channel=show1");
        listed.Headers.Authorization = new AuthenticationHeaderValue("Bearer", "local-key");
        var orders = await (await http.SendAsync(listed, Ct)).Content.ReadFromJsonAsync<JsonElement>(Ct);
        Assert.Equal(1, Assert.Single(orders.EnumerateArray()).GetProperty("quantity").GetInt32());
    }

    [Fact]
    public async Task Channel_orders_need_the_admin_token_or_that_channels_host_key()
    {
        await using var host = await ChatTestHost.StartAsync();
        using var http = host.Http();
        async Task<HttpStatusCode> Get(string channel, string? bearer)
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, $"/api/v1/channels/{channel}/orders");
            if (bearer is not null) request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", bearer);
            using var response = await http.SendAsync(request, Ct);
            if (!response.IsSuccessStatusCode) Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
            return response.StatusCode;
        }
        Assert.Equal(HttpStatusCode.Unauthorized, await Get("show1", null));
        Assert.Equal(HttpStatusCode.Unauthorized, await Get("show1", "guess"));
        Assert.Equal(HttpStatusCode.Forbidden, await Get("show1", "host-key-show2-abcdefghijklmnop"));
        Assert.Equal(HttpStatusCode.OK, await Get("show1", ChatTestHost.HostKey));
        Assert.Equal(HttpStatusCode.OK, await Get("show1", InMemoryChannelDirectory.AdminToken));
        Assert.Equal(HttpStatusCode.NotFound, await Get("nope", InMemoryChannelDirectory.AdminToken));
    }

    [Fact]
    public async Task Bad_configuration_stops_start_naming_every_key()
    {
        // ValidateOnStart reports every section at once (an AggregateException of one failure per options type).
        var ex = await Assert.ThrowsAsync<AggregateException>(() => ChatTestHost.StartAsync(new Dictionary<string, string?>
        {
            ["Relay:Orders:Endpoint"] = "ftp://nope",
            ["Relay:Orders:MaxAttempts"] = "0",
            ["Relay:Chat:MaxMessageLength"] = "0",
            ["Relay:Auth:ViewerJwtKey"] = "short-secret-value",
        }));
        Assert.All(ex.InnerExceptions, e => Assert.IsType<OptionsValidationException>(e));
        foreach (var key in new[] { "Relay:Orders:Endpoint", "Relay:Orders:MaxAttempts", "Relay:Chat:MaxMessageLength", "Relay:Auth:ViewerJwtKey" })
            Assert.Contains(key, ex.Message);
        Assert.DoesNotContain("short-secret-value", ex.Message);
    }

    private static async Task AssertProblem(HttpResponseMessage response, string field)
    {
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>(Ct);
        Assert.True(problem.GetProperty("errors").TryGetProperty(field, out _), $"no error for {field}: {problem}");
    }
}
