using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.SignalR.Client;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Relay.Chat.Channels;
using Relay.Chat.Contracts;
using Relay.Server.Channels;
using Relay.Server.Store;
using Relay.Common.Storage;
using Relay.Tests.Common;
using Relay.Tests.Common.Hosts;
using Relay.Tests.Common.Chat;

namespace Relay.Tests.Integration.Server;

/// <summary>
/// The v2 stock rule through the real host: `PUT .../lineup` keeps what is sold (remaining = max(0, stock - sold)),
/// a failed order gives back at most what it took (review H2), `?resetStock=true` starts a new count, and line-up
/// changes reach the room in the order they were stored (review L12).
/// </summary>
public sealed class LineupStockTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static readonly object[] Tee = [new { sku = "TEE-001", title = "Tee", priceCents = 2500, currency = "USD", stock = 2 }];

    /// <summary>
    /// The review's repro of H2: an order API that holds the first POST and then answers 422, a line-up PUT while it is
    /// held, more buyers. Before v2 the PUT reset the stock to 2 and the failure added 2 more, so 4 units of a stock of 2
    /// were sold.
    /// </summary>
    [Theory, MemberData(nameof(Hub.Protocols), MemberType = typeof(Hub))]
    public async Task A_lineup_PUT_during_a_held_order_then_its_failure_never_sells_more_than_the_stock(string protocol)
    {
        await using var api = await HoldingOrderApi.StartAsync();
        await using var server = await RelayTestServer.StartAsync($"--Relay:Orders:Endpoint={api.Endpoint}", "--Relay:Orders:TimeoutSeconds=60");
        var channel = (await server.Channels.CreateAsync("h2", "H2", Ct)).Channel!;
        using var admin = server.AdminClient();
        Assert.Equal(HttpStatusCode.OK, (await admin.PutAsJsonAsync("/api/v1/channels/h2/lineup", Tee, Ct)).StatusCode);

        await using var host = await JoinAsync(server, protocol, channel.HostKey, "h2");
        await host.InvokeAsync("Pin", "TEE-001", Ct);
        await using var a = await JoinAsync(server, protocol, null, "h2");
        await using var b = await JoinAsync(server, protocol, null, "h2");
        await using var c = await JoinAsync(server, protocol, null, "h2");
        await using var d = await JoinAsync(server, protocol, null, "h2");

        var first = await a.BuyAsync("TEE-001", 2, "a-1");
        Assert.Equal(PurchaseStatus.Reserved, first.Status);
        await api.FirstArrived.WaitAsync(TimeSpan.FromSeconds(20), Ct);

        // The same line-up again (a fixed title, a new product...) while A's order is held at the order API.
        Assert.Equal(HttpStatusCode.OK, (await admin.PutAsJsonAsync("/api/v1/channels/h2/lineup", Tee, Ct)).StatusCode);
        Assert.Equal(PurchaseStatus.SoldOut, (await b.BuyAsync("TEE-001", 2, "b-1")).Status);
        Assert.Equal(0, (await StockAsync(host, "h2")).Stock);

        // The order API refuses A's order: its 2 units come back, and no more.
        api.ReleaseFirst();
        await WaitForAsync(admin, "h2", orders => orders.Any(o => o.OrderId == first.OrderId && o.Status == "failed"));
        // The room applies the release right after the ledger commits it, so the order list can show `failed` a moment
        // before the room does (seen under load): wait for the room, then hold it to exactly the 2 units.
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while ((await StockAsync(host, "h2")).Stock != 2 && DateTime.UtcNow < deadline) await Task.Delay(50, Ct);
        Assert.Equal(2, (await StockAsync(host, "h2")).Stock);
        Assert.Equal(PurchaseStatus.Reserved, (await c.BuyAsync("TEE-001", 2, "c-1")).Status);
        Assert.Equal(PurchaseStatus.SoldOut, (await d.BuyAsync("TEE-001", 1, "d-1")).Status);

        var orders = await WaitForAsync(admin, "h2", orders => orders.All(o => o.Status != "pending"));
        Assert.Equal(2, orders.Where(o => o.Status != "failed").Sum(o => o.Quantity));
        Assert.Equal(2, orders.Where(o => o.Status == "confirmed").Sum(o => o.Quantity));
        Assert.Equal(0, (await StockAsync(host, "h2")).Stock);
    }

    [Fact]
    public async Task Stock_changes_keep_what_is_sold_and_resetStock_starts_a_new_count()
    {
        await using var api = await HoldingOrderApi.StartAsync();
        await using var server = await RelayTestServer.StartAsync($"--Relay:Orders:Endpoint={api.Endpoint}", "--Relay:Orders:TimeoutSeconds=60");
        var channel = (await server.Channels.CreateAsync("reset", "Reset", Ct)).Channel!;
        using var admin = server.AdminClient();
        async Task<HttpStatusCode> PutAsync(int stock, string query = "") =>
            (await admin.PutAsJsonAsync($"/api/v1/channels/reset/lineup{query}",
                new[] { new { sku = "TEE-001", title = "Tee", priceCents = 2500, currency = "USD", stock } }, Ct)).StatusCode;

        Assert.Equal(HttpStatusCode.OK, await PutAsync(5));
        await using var host = await JoinAsync(server, "json", channel.HostKey, "reset");
        await host.InvokeAsync("Pin", "TEE-001", Ct);
        await using var buyer = await JoinAsync(server, "messagepack", null, "reset");
        var held = await buyer.BuyAsync("TEE-001", 3, "held");
        Assert.Equal(PurchaseStatus.Reserved, held.Status);
        await api.FirstArrived.WaitAsync(TimeSpan.FromSeconds(20), Ct);

        // Down below what is sold: nothing left; up again: only the difference.
        Assert.Equal(HttpStatusCode.OK, await PutAsync(2));
        Assert.Equal(0, (await StockAsync(host, "reset")).Stock);
        Assert.Equal(PurchaseStatus.SoldOut, (await buyer.BuyAsync("TEE-001", 1, "none")).Status);
        Assert.Equal(HttpStatusCode.OK, await PutAsync(4));
        Assert.Equal(1, (await StockAsync(host, "reset")).Stock);

        // A new show: the count starts over, and the held order from before gives nothing to it when it fails.
        Assert.Equal(HttpStatusCode.OK, await PutAsync(4, "?resetStock=true"));
        Assert.Equal(4, (await StockAsync(host, "reset")).Stock);
        api.ReleaseFirst();
        await WaitForAsync(admin, "reset", orders => orders.Any(o => o.OrderId == held.OrderId && o.Status == "failed"));
        Assert.Equal(4, (await StockAsync(host, "reset")).Stock);

        // A bad flag is a 400 naming it, and changes nothing.
        using var bad = await admin.PutAsJsonAsync("/api/v1/channels/reset/lineup?resetStock=maybe",
            new[] { new { sku = "TEE-001", title = "Tee", priceCents = 2500, currency = "USD", stock = 9 } }, Ct);
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
        Assert.Contains("resetStock", await bad.Content.ReadAsStringAsync(Ct));
        Assert.Equal(4, (await StockAsync(host, "reset")).Stock);
        Assert.Equal(4, server.Channels.Find("reset")!.Lineup[0].Stock);
    }

    /// <summary>
    /// Review L12: observers run outside the channel write lock. Here the room's observer is held on the first line-up
    /// while a second PUT is stored; the second must not overtake it, or the room ends on the first line-up while the
    /// store holds the second.
    /// </summary>
    [Fact]
    public async Task Lineup_notifications_of_a_channel_reach_observers_in_the_order_the_lineups_were_stored()
    {
        using var dir = new TempDir("relay-lineup-order");
        var store = new SqliteChannelStore(new SqliteDatabase(Path.Combine(dir.Path, "relay.db")), new EphemeralDataProtectionProvider());
        await store.MigrateAsync(Ct);
        var observer = new HoldFirstLineupObserver();
        var channels = new ChannelService(store, [observer], TimeProvider.System, NullLogger<ChannelService>.Instance);
        await channels.CreateAsync("c", "C", Ct);
        IReadOnlyList<LineupItem> first = [new("A", "A", 100, "EUR", null, 5)], second = [new("A", "A", 100, "EUR", null, 3)];

        var putFirst = channels.SetLineupAsync("c", first, false, Ct);
        await observer.FirstArrived.WaitAsync(TimeSpan.FromSeconds(10), Ct);
        var putSecond = channels.SetLineupAsync("c", second, false, Ct);
        // The second is stored at once; its notification waits for the first (which the observer still holds).
        await Task.WhenAny(putSecond, Task.Delay(300, Ct));
        Assert.Equal(3, channels.Find("c")!.Lineup[0].Stock);
        observer.ReleaseFirst();
        await Task.WhenAll(putFirst, putSecond);

        Assert.Equal([5, 3], observer.Applied.Select(l => l[0].Stock));
        Assert.Equal(channels.Find("c")!.Lineup, observer.Applied[^1]);
        SqliteConnection.ClearAllPools();
    }

    /// <summary>Many PUTs at once through the real host: the room, the ledger and the store end on the same line-up.</summary>
    [Fact]
    public async Task Concurrent_lineup_PUTs_leave_the_room_on_the_stored_lineup()
    {
        await using var server = await RelayTestServer.StartAsync();
        var channel = (await server.Channels.CreateAsync("burst", "Burst", Ct)).Channel!;
        using var admin = server.AdminClient();
        Assert.Equal(HttpStatusCode.OK, (await admin.PutAsJsonAsync("/api/v1/channels/burst/lineup", Tee, Ct)).StatusCode);
        await using var host = await JoinAsync(server, "json", channel.HostKey, "burst");

        var answers = await Task.WhenAll(Enumerable.Range(1, 12).Select(async n =>
        {
            using var response = await admin.PutAsJsonAsync("/api/v1/channels/burst/lineup",
                new[] { new { sku = "TEE-001", title = $"Tee {n}", priceCents = 2500, currency = "USD", stock = n } }, Ct);
            return response.StatusCode;
        }));
        Assert.All(answers, a => Assert.Equal(HttpStatusCode.OK, a));

        var stored = server.Channels.Find("burst")!.Lineup[0];
        var snapshot = await host.InvokeAsync<JoinSnapshot>("Join", "burst", new JoinOptions(), Ct);
        Assert.Equal((stored.Title, stored.Stock), (snapshot.Lineup[0].Title, snapshot.Lineup[0].Stock));
    }

    private static async Task<HubConnection> JoinAsync(RelayTestServer server, string protocol, string? token, string channel)
    {
        var builder = new HubConnectionBuilder().WithUrl(new Uri(server.BaseAddress, "/hubs/live"), o =>
        {
            if (token is not null) o.AccessTokenProvider = () => Task.FromResult<string?>(token);
        });
        if (protocol == "messagepack") builder.AddMessagePackProtocol();
        var connection = builder.Build();
        await connection.StartAsync(Ct);
        await connection.InvokeAsync<JoinSnapshot>("Join", channel, new JoinOptions(), Ct);
        return connection;
    }

    /// <summary>What the room shows of the product, from a fresh snapshot.</summary>
    private static async Task<ProductView> StockAsync(HubConnection connection, string channel) =>
        (await connection.InvokeAsync<JoinSnapshot>("Join", channel, new JoinOptions(), Ct)).Lineup.Single(p => p.Sku == "TEE-001");

    private sealed record Order(string OrderId, string Status, int Quantity);

    private static async Task<List<Order>> WaitForAsync(HttpClient admin, string channel, Func<List<Order>, bool> done)
    {
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (true)
        {
            var orders = (await admin.GetFromJsonAsync<List<Order>>($"/api/v1/channels/{channel}/orders", JsonSerializerOptions.Web, Ct))!;
            if (done(orders)) return orders;
            if (DateTime.UtcNow > deadline) throw new TimeoutException("orders: " + string.Join(", ", orders));
            await Task.Delay(50, Ct);
        }
    }

    /// <summary>Holds the first line-up notification until released, and records every line-up in the order observers finish.</summary>
    private sealed class HoldFirstLineupObserver : IChannelObserver
    {
        private readonly TaskCompletionSource _arrived = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private readonly TaskCompletionSource _release = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private int _seen;

        public List<IReadOnlyList<LineupItem>> Applied { get; } = [];

        public Task FirstArrived => _arrived.Task;

        public void ReleaseFirst() => _release.TrySetResult();

        public async Task ChannelChangedAsync(string channelId, ChannelChange change, ChannelDefinition? channel, CancellationToken ct)
        {
            if (change is not (ChannelChange.LineupChanged or ChannelChange.LineupChangedStockReset) || channel is null) return;
            if (Interlocked.Increment(ref _seen) == 1)
            {
                _arrived.TrySetResult();
                await _release.Task;
            }
            lock (Applied) Applied.Add(channel.Lineup);
        }
    }

    /// <summary>The review's mock order API: holds the first POST until released, then answers 422; 201 to every other.</summary>
    private sealed class HoldingOrderApi : IAsyncDisposable
    {
        private readonly WebApplication _app;
        private readonly TaskCompletionSource _arrived = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private readonly TaskCompletionSource _release = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private string? _firstKey;

        private HoldingOrderApi(WebApplication app)
        {
            _app = app;
            Endpoint = new Uri(new Uri(app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First()), "/orders");
        }

        public Uri Endpoint { get; }

        public Task FirstArrived => _arrived.Task;

        public void ReleaseFirst() => _release.TrySetResult();

        public static async Task<HoldingOrderApi> StartAsync()
        {
            var builder = WebApplication.CreateSlimBuilder();
            builder.WebHost.UseKestrel().UseUrls("http://127.0.0.1:0");
            builder.Logging.ClearProviders();
            var app = builder.Build();
            HoldingOrderApi? api = null;
            app.MapPost("/orders", (HttpContext http) => api!.HandleAsync(http));
            await app.StartAsync(Ct);
            api = new HoldingOrderApi(app);
            return api;
        }

        private async Task HandleAsync(HttpContext http)
        {
            var key = http.Request.Headers["Idempotency-Key"].ToString();
            if (Interlocked.CompareExchange(ref _firstKey, key, null) is null || _firstKey == key)
            {
                _arrived.TrySetResult();
                await _release.Task.WaitAsync(http.RequestAborted);
                http.Response.StatusCode = StatusCodes.Status422UnprocessableEntity;
                await http.Response.WriteAsJsonAsync(new { error = "address rejected" });
                return;
            }
            http.Response.StatusCode = StatusCodes.Status201Created;
            await http.Response.WriteAsJsonAsync(new { orderId = key, status = "confirmed" });
        }

        public async ValueTask DisposeAsync()
        {
            _release.TrySetResult();
            await _app.StopAsync();
            await _app.DisposeAsync();
        }
    }
}
