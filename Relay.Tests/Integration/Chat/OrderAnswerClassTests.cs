using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.SignalR.Client;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Prometheus;
using Relay.Chat.Configuration;
using Relay.Chat.Contracts;
using Relay.Chat.Orders;
using Relay.Tests.Common.Chat;
using Relay.Tests.Common.Hosts;

namespace Relay.Tests.Integration.Chat;

/// <summary>
/// Each answer class of the order API (CONTRACT.md v2 "Order API") played by a real HTTP server: what happens to the
/// order, its stock and the buyer, and how many orders the API really created per Idempotency-Key (exactly one).
/// </summary>
public sealed class OrderAnswerClassTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private const string ApiKey = "brand-api-key-0123";

    private static Task<ChatTestHost> HostAsync(ScriptedOrderApi api, params (string Key, string Value)[] settings)
    {
        var config = new Dictionary<string, string?>
        {
            ["Relay:Orders:Endpoint"] = api.Endpoint.ToString(),
            ["Relay:Orders:ApiKey"] = ApiKey,
        };
        foreach (var (key, value) in settings) config["Relay:Orders:" + key] = value;
        return ChatTestHost.StartAsync(config);
    }

    /// <summary>A seller pins the serum (stock 5) and one buyer reserves one unit: stock 4 from then on.</summary>
    private sealed class Sale : IAsyncDisposable
    {
        public required HubConnection Seller { get; init; }
        public required HubConnection Buyer { get; init; }
        public required EventInbox<OrderEvent> Told { get; init; }
        public required EventInbox<StockEvent> Stock { get; init; }
        public required string OrderId { get; init; }
        public required ChatTestHost Host { get; init; }

        public static async Task<Sale> StartAsync(ChatTestHost host, string protocol = "json")
        {
            var seller = await Buyers.JoinedAsync(host, protocol, ChatTestHost.HostKey);
            var buyer = await Buyers.JoinedAsync(host, protocol);
            var told = new EventInbox<OrderEvent>(buyer, "order");
            var stock = new EventInbox<StockEvent>(buyer, "stock");
            await seller.InvokeAsync("Pin", "SER-1", Ct);
            var bought = await buyer.BuyAsync("SER-1", 1, "one");
            Assert.Equal(PurchaseStatus.Reserved, bought.Status);
            return new Sale { Host = host, Seller = seller, Buyer = buyer, Told = told, Stock = stock, OrderId = bought.OrderId! };
        }

        /// <summary>The reserved unit was never given back: the room shows 4 left and never showed more.</summary>
        public async Task AssertStockStillReservedAsync()
        {
            // A fresh connection: a second Join on the buyer's own would make it a new guest, deaf to its order events.
            await using var look = Host.Connect("json");
            await look.StartAsync(Ct);
            var snapshot = await look.InvokeAsync<JoinSnapshot>("Join", ChatTestHost.Channel, new JoinOptions(), Ct);
            Assert.Equal(4, snapshot.Pinned!.Stock);
            Assert.DoesNotContain(Stock.All, s => s.Sku == "SER-1" && s.Remaining > 4);
            Assert.DoesNotContain(Told.All, e => e.Status == "failed");
        }

        public async ValueTask DisposeAsync()
        {
            await Buyer.DisposeAsync();
            await Seller.DisposeAsync();
        }
    }

    private static async Task<Buyers.ChannelOrder> OrderAsync(ChatTestHost host, string orderId) =>
        (await Buyers.ChannelOrdersAsync(host)).Single(o => o.OrderId == orderId);

    private static async Task WaitForAsync(Func<bool> condition, string what, double seconds = 20)
    {
        var deadline = DateTime.UtcNow.AddSeconds(seconds);
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < deadline, $"timed out waiting for {what}");
            await Task.Delay(20, Ct);
        }
    }

    [Theory, MemberData(nameof(Hub.Protocols), MemberType = typeof(Hub))]
    public async Task A_201_confirms_the_order_and_its_checkoutUrl_reaches_the_buyer(string protocol)
    {
        await using var api = await ScriptedOrderApi.StartAsync();
        api.Script = call => ScriptedAnswer.Created($"https://shop.example/pay/{call.Key}");
        await using var host = await HostAsync(api);
        await using var sale = await Sale.StartAsync(host, protocol);

        var told = await sale.Told.NextAsync();
        Assert.Equal((sale.OrderId, "confirmed", $"https://shop.example/pay/{sale.OrderId}"), (told.OrderId, told.Status, told.CheckoutUrl));
        Assert.Equal(("confirmed", 1), ((await OrderAsync(host, sale.OrderId)).Status, (await OrderAsync(host, sale.OrderId)).Attempts));
        Assert.Equal(1, api.Taken[sale.OrderId]);
    }

    [Theory]
    [InlineData(400)]
    [InlineData(422)]
    public async Task A_400_or_422_fails_the_order_for_good_releases_its_stock_and_tells_the_buyer(int status)
    {
        await using var api = await ScriptedOrderApi.StartAsync();
        api.Script = _ => new ScriptedAnswer(status);
        await using var host = await HostAsync(api);
        await using var sale = await Sale.StartAsync(host);

        var told = await sale.Told.NextAsync();
        Assert.Equal((sale.OrderId, "failed"), (told.OrderId, told.Status));
        await sale.Stock.NextMatchingAsync(s => s.Remaining == 5);
        var order = await OrderAsync(host, sale.OrderId);
        Assert.Equal(("failed", 1, $"HTTP {status}"), (order.Status, order.Attempts, order.LastError));
        Assert.Equal(1, api.Attempts[sale.OrderId]);
        Assert.False(api.Taken.ContainsKey(sale.OrderId));
    }

    [Theory]
    [InlineData(408)]
    [InlineData(409)]
    [InlineData(425)]
    [InlineData(429)]
    [InlineData(500)]
    [InlineData(503)]
    [InlineData(418)] // not named by the contract: never a reason to release stock
    public async Task A_retryable_answer_is_retried_with_the_same_key_and_the_order_confirms_without_ever_being_released(int status)
    {
        await using var api = await ScriptedOrderApi.StartAsync();
        api.Script = call => call.Attempt <= 2 ? new ScriptedAnswer(status) : ScriptedAnswer.Created();
        await using var host = await HostAsync(api);
        await using var sale = await Sale.StartAsync(host);

        var told = await sale.Told.NextAsync();
        Assert.Equal((sale.OrderId, "confirmed"), (told.OrderId, told.Status));
        Assert.Equal(("confirmed", 3), ((await OrderAsync(host, sale.OrderId)).Status, (await OrderAsync(host, sale.OrderId)).Attempts));
        Assert.Equal([status, status, 201], api.Answers.Where(a => a.Key == sale.OrderId).Select(a => a.Status));
        Assert.Equal(1, api.Taken[sale.OrderId]);
        await sale.AssertStockStillReservedAsync();
    }

    [Theory]
    [InlineData(425)]
    [InlineData(429)]
    [InlineData(503)]
    public async Task Retry_After_is_honoured_before_the_next_attempt(int status)
    {
        await using var api = await ScriptedOrderApi.StartAsync();
        api.Script = call => call.Attempt == 1 ? new ScriptedAnswer(status, RetryAfter: "2") : ScriptedAnswer.Created();
        // Without Retry-After the next attempt would come after at most 20 ms.
        await using var host = await HostAsync(api, ("MaxBackoffSeconds", "30"));
        await using var sale = await Sale.StartAsync(host);

        var told = await sale.Told.NextAsync(seconds: 20);
        Assert.Equal("confirmed", told.Status);
        var answers = api.Answers.Where(a => a.Key == sale.OrderId).ToList();
        Assert.Equal([status, 201], answers.Select(a => a.Status));
        var gap = answers[1].At - answers[0].At;
        Assert.True(gap >= TimeSpan.FromSeconds(1.9), $"second attempt {gap.TotalMilliseconds:F0} ms after a Retry-After of 2 s");
        Assert.Equal(1, api.Taken[sale.OrderId]);
    }

    [Fact]
    public async Task A_409_for_a_key_still_in_flight_after_a_timeout_never_fails_the_order_and_it_ends_confirmed()
    {
        // The review's repro: the first POST outlives Orders:TimeoutSeconds while the brand creates the order; the
        // retries meanwhile get 409 ("in progress"); once created, the key answers 201.
        await using var api = await ScriptedOrderApi.StartAsync();
        api.Script = call => call.Attempt == 1 ? new ScriptedAnswer(201, Take: true, Delay: TimeSpan.FromSeconds(3)) : ScriptedAnswer.Created();
        await using var host = await HostAsync(api, ("TimeoutSeconds", "1"), ("MaxAttempts", "100"), ("MaxBackoffSeconds", "0.3"));
        await using var sale = await Sale.StartAsync(host);

        var told = await sale.Told.NextAsync(seconds: 20);
        Assert.Equal((sale.OrderId, "confirmed"), (told.OrderId, told.Status));
        var statuses = api.Answers.Where(a => a.Key == sale.OrderId).Select(a => a.Status).ToList();
        Assert.Contains(409, statuses);
        Assert.Equal(201, statuses[^1]);
        Assert.Equal("confirmed", (await OrderAsync(host, sale.OrderId)).Status);
        Assert.Equal(1, api.Taken[sale.OrderId]);
        await sale.AssertStockStillReservedAsync();
    }

    [Theory]
    [InlineData(301)]
    [InlineData(302)]
    [InlineData(307)]
    [InlineData(308)]
    [InlineData(401)]
    [InlineData(403)]
    [InlineData(404)]
    [InlineData(405)]
    public async Task A_misconfigured_endpoint_is_retried_never_failed_counted_and_the_order_confirms_once_it_is_fixed(int status)
    {
        await using var api = await ScriptedOrderApi.StartAsync();
        var fixedAt = int.MaxValue;
        api.Script = call => call.Attempt >= Volatile.Read(ref fixedAt)
            ? ScriptedAnswer.Created()
            : new ScriptedAnswer(status, Location: status < 400 ? "/orders/" : null);
        await using var host = await HostAsync(api, ("MaxAttempts", "1000"));
        var before = MisconfiguredCount();
        await using var sale = await Sale.StartAsync(host);

        await WaitForAsync(() => api.Attempts.GetValueOrDefault(sale.OrderId) >= 3, "three misconfigured answers");
        var pending = await OrderAsync(host, sale.OrderId);
        Assert.Equal("pending", pending.Status);
        Assert.Contains($"HTTP {status}", pending.LastError);
        Assert.Contains("misconfigured", pending.LastError);
        Assert.True(MisconfiguredCount() - before >= 3, $"relay_order_api_misconfigured_total grew by {MisconfiguredCount() - before}");
        await sale.AssertStockStillReservedAsync();

        // The operator fixes the endpoint (here: the brand's side starts answering): the same order goes through.
        Volatile.Write(ref fixedAt, api.Attempts[sale.OrderId] + 1);
        var told = await sale.Told.NextAsync(seconds: 20);
        Assert.Equal((sale.OrderId, "confirmed"), (told.OrderId, told.Status));
        Assert.Equal(1, api.Taken[sale.OrderId]);
        Assert.Equal(0, api.RedirectsFollowed);
        await sale.AssertStockStillReservedAsync();
    }

    [Fact]
    public async Task A_dead_letter_is_redelivered_by_the_admin_with_the_same_key_and_confirmed_exactly_once()
    {
        // Taken by the brand, but the answer never arrives (timeout) and the retry meets 409: dead-lettered after
        // MaxAttempts = 2 with the order in fact created. Redelivery must not create it a second time.
        await using var api = await ScriptedOrderApi.StartAsync();
        api.Script = call => call.Attempt == 1 ? new ScriptedAnswer(201, Take: true, Delay: TimeSpan.FromSeconds(2)) : ScriptedAnswer.Created();
        await using var host = await HostAsync(api, ("TimeoutSeconds", "1"), ("MaxAttempts", "2"));
        host.AllowedErrors.Add("dead-lettered"); // the dead letter is logged as an error
        await using var sale = await Sale.StartAsync(host);

        var dead = (await Buyers.WaitForOrdersAsync(host, o => o.Any(x => x.OrderId == sale.OrderId && x.Status == "dead_letter")))
            .Single(o => o.OrderId == sale.OrderId);
        Assert.Equal(2, dead.Attempts);
        await WaitForAsync(() => api.Taken.ContainsKey(sale.OrderId), "the brand to finish creating the order");
        await sale.AssertStockStillReservedAsync();

        using var http = host.Http();
        async Task<HttpResponseMessage> Redeliver(string orderId, string? bearer)
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, $"/api/v1/orders/{orderId}/redeliver");
            if (bearer is not null) request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", bearer);
            return await http.SendAsync(request, Ct);
        }
        var anonymous = await Redeliver(sale.OrderId, null);
        Assert.Equal(HttpStatusCode.Unauthorized, anonymous.StatusCode);
        Assert.Equal("Bearer", anonymous.Headers.WwwAuthenticate.ToString());
        Assert.Equal(HttpStatusCode.Forbidden, (await Redeliver(sale.OrderId, ChatTestHost.HostKey)).StatusCode);
        var unknown = await Redeliver("ord_unknown", InMemoryChannelDirectory.AdminToken);
        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
        Assert.Equal("application/problem+json", unknown.Content.Headers.ContentType?.MediaType);
        Assert.Equal("dead_letter", (await OrderAsync(host, sale.OrderId)).Status);

        var accepted = await Redeliver(sale.OrderId, InMemoryChannelDirectory.AdminToken);
        Assert.Equal(HttpStatusCode.Accepted, accepted.StatusCode);
        Assert.Equal("pending", (await accepted.Content.ReadFromJsonAsync<JsonElement>(Ct)).GetProperty("status").GetString());
        var told = await sale.Told.NextAsync(seconds: 20);
        Assert.Equal((sale.OrderId, "confirmed"), (told.OrderId, told.Status));
        Assert.Equal("confirmed", (await OrderAsync(host, sale.OrderId)).Status);
        var again = await Redeliver(sale.OrderId, InMemoryChannelDirectory.AdminToken);
        Assert.Equal(HttpStatusCode.Conflict, again.StatusCode);
        Assert.Equal("application/problem+json", again.Content.Headers.ContentType?.MediaType);

        Assert.Equal(1, api.Taken[sale.OrderId]);
        Assert.Equal(3, api.Attempts[sale.OrderId]);
        await sale.AssertStockStillReservedAsync();
    }

    [Fact]
    public async Task The_built_in_order_APIs_list_shows_the_status_it_answered()
    {
        await using var host = await ChatTestHost.StartAsync(new Dictionary<string, string?> { ["Relay:Orders:ApiKey"] = "local-key" });
        await using var sale = await Sale.StartAsync(host);
        Assert.Equal("confirmed", (await sale.Told.NextAsync()).Status);

        using var http = host.Http();
        using var list = new HttpRequestMessage(HttpMethod.Get, $"/api/v1/orders?channel={ChatTestHost.Channel}");
        list.Headers.Authorization = new AuthenticationHeaderValue("Bearer", InMemoryChannelDirectory.AdminToken);
        using var response = await http.SendAsync(list, Ct);
        var received = Assert.Single((await response.Content.ReadFromJsonAsync<JsonElement>(Ct)).EnumerateArray());
        Assert.Equal(sale.OrderId, received.GetProperty("orderId").GetString());
        Assert.Equal("confirmed", received.GetProperty("status").GetString());
    }

    [Fact]
    public async Task With_an_external_endpoint_the_built_in_order_API_is_not_mapped()
    {
        await using var api = await ScriptedOrderApi.StartAsync();
        await using var host = await HostAsync(api);
        using var http = host.Http();
        using var post = new HttpRequestMessage(HttpMethod.Post, "/api/v1/orders")
        {
            Content = JsonContent.Create(new OrderApiRequest("o1", "show1", "LIP-1", 1, 100, "EUR", "b", "B", null, false, DateTimeOffset.UtcNow), options: JsonSerializerOptions.Web),
        };
        post.Headers.Authorization = new AuthenticationHeaderValue("Bearer", ApiKey);
        post.Headers.Add("Idempotency-Key", "o1");
        Assert.Equal(HttpStatusCode.NotFound, (await http.SendAsync(post, Ct)).StatusCode);
        using var list = new HttpRequestMessage(HttpMethod.Get, "/api/v1/orders?channel=show1");
        list.Headers.Authorization = new AuthenticationHeaderValue("Bearer", InMemoryChannelDirectory.AdminToken);
        Assert.Equal(HttpStatusCode.NotFound, (await http.SendAsync(list, Ct)).StatusCode);
    }

    [Theory]
    [InlineData("http://orders.brand.example/orders", null, false)]
    [InlineData("http://10.0.0.8:8080/orders", null, false)]
    [InlineData("http://orders.brand.example/orders", "true", true)]
    [InlineData("https://orders.brand.example/orders", null, true)]
    [InlineData("http://127.0.0.1:9/orders", null, true)]
    [InlineData("http://localhost:9/orders", null, true)]
    public async Task A_plain_http_endpoint_off_loopback_stops_the_start_unless_explicitly_allowed(string endpoint, string? allowInsecure, bool starts)
    {
        var settings = new Dictionary<string, string?> { ["Relay:Orders:Endpoint"] = endpoint, ["Relay:Orders:AllowInsecureHttp"] = allowInsecure };
        if (starts)
        {
            await using var host = await ChatTestHost.StartAsync(settings);
            return;
        }
        var ex = await Assert.ThrowsAnyAsync<Exception>(() => ChatTestHost.StartAsync(settings));
        var failure = Assert.Single(Assert.IsType<OptionsValidationException>(ex is AggregateException a ? Assert.Single(a.InnerExceptions) : ex).Failures);
        Assert.Contains("Relay:Orders:Endpoint must be https://", failure);
        Assert.Contains("Relay:Orders:AllowInsecureHttp", failure);
        Assert.DoesNotContain(endpoint, failure);
        Assert.DoesNotContain('\n', failure);
    }

    [Theory]
    [InlineData(new[] { "http://127.0.0.1:5000" }, "http://127.0.0.1:5000/api/v1/orders")]
    [InlineData(new[] { "http://0.0.0.0:8080" }, "http://127.0.0.1:8080/api/v1/orders")]
    [InlineData(new[] { "http://[::]:8080" }, "http://[::1]:8080/api/v1/orders")]
    [InlineData(new[] { "https://live.brand.example:8443" }, "https://127.0.0.1:8443/api/v1/orders")]
    [InlineData(new[] { "http://203.0.113.7:8080", "https://0.0.0.0:8443" }, "https://127.0.0.1:8443/api/v1/orders")]
    [InlineData(new[] { "https://[::]:8443", "http://localhost:5000" }, "http://127.0.0.1:5000/api/v1/orders")]
    [InlineData(new[] { "http://203.0.113.7:8080" }, null)]
    public void The_built_in_order_API_is_always_dialled_on_loopback(string[] bound, string? expected)
    {
        var services = new ServiceCollection().AddSingleton<IServer>(new BoundServer(bound)).BuildServiceProvider();
        var endpoint = new OrderEndpoint(Options.Create(new OrdersOptions()), services);
        if (expected is null)
        {
            Assert.Contains("no loopback or wildcard address", endpoint.BuiltInAddressProblem());
            Assert.Throws<InvalidOperationException>(() => endpoint.Resolve());
            return;
        }
        Assert.Null(endpoint.BuiltInAddressProblem());
        Assert.Equal(expected, endpoint.Resolve().ToString());
    }

    private sealed class BoundServer : IServer
    {
        public BoundServer(string[] addresses)
        {
            var feature = new ServerAddressesFeature();
            foreach (var a in addresses) feature.Addresses.Add(a);
            Features.Set<IServerAddressesFeature>(feature);
        }

        public IFeatureCollection Features { get; } = new FeatureCollection();
        public Task StartAsync<TContext>(Microsoft.AspNetCore.Hosting.Server.IHttpApplication<TContext> application, CancellationToken cancellationToken) where TContext : notnull => Task.CompletedTask;
        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
        public void Dispose() { }
    }

    private static double MisconfiguredCount()
    {
        using var stream = new MemoryStream();
        Metrics.DefaultRegistry.CollectAndExportAsTextAsync(stream, Ct).GetAwaiter().GetResult();
        var match = Regex.Match(System.Text.Encoding.UTF8.GetString(stream.ToArray()), @"^relay_order_api_misconfigured_total (\S+)$", RegexOptions.Multiline);
        return match.Success ? double.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture) : 0;
    }
}
