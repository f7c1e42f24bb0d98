using System.Collections.Concurrent;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Relay.Chat.Orders;

namespace Relay.Tests.Common.Chat;

/// <summary>
/// A brand's order service in miniature, on its own Kestrel: idempotent on Idempotency-Key like a real one
/// should be, with a scripted answer per attempt so tests can make it fail, stall or refuse.
/// </summary>
public sealed class FakeOrderApi : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly ConcurrentDictionary<string, int> _attempts = new();
    private readonly ConcurrentDictionary<string, OrderApiRequest> _accepted = new();
    private readonly ConcurrentQueue<string> _problems = new();

    /// <summary>(key, attempt number starting at 1, body) -> status code; 2xx accepts the order.</summary>
    public Func<string, int, OrderApiRequest, int> Script { get; set; } = (_, _, _) => 201;

    /// <summary>How long a request stalls after the order was taken or refused, before answering (provokes client timeouts).</summary>
    public Func<string, int, TimeSpan> Stall { get; set; } = (_, _) => TimeSpan.Zero;

    public string? ExpectedBearer { get; set; }

    public Uri Endpoint { get; }

    public IReadOnlyDictionary<string, int> Attempts => _attempts;

    /// <summary>Orders taken, once per key: the "effect" that must happen exactly once.</summary>
    public IReadOnlyDictionary<string, OrderApiRequest> Accepted => _accepted;

    /// <summary>Protocol violations seen (missing key, key not matching the body...).</summary>
    public IReadOnlyCollection<string> Problems => _problems;

    private FakeOrderApi(WebApplication app)
    {
        _app = app;
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        Endpoint = new Uri(new Uri(address), "/orders");
    }

    public static async Task<FakeOrderApi> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseKestrel().UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        var app = builder.Build();
        FakeOrderApi? api = null;
        app.MapPost("/orders", (HttpContext http) => api!.HandleAsync(http));
        await app.StartAsync(TestContext.Current.CancellationToken);
        api = new FakeOrderApi(app);
        return api;
    }

    private async Task HandleAsync(HttpContext http)
    {
        var key = http.Request.Headers["Idempotency-Key"].ToString();
        var order = await JsonSerializer.DeserializeAsync<OrderApiRequest>(http.Request.Body, JsonSerializerOptions.Web);
        if (key.Length == 0 || order is null || order.OrderId != key)
        {
            _problems.Enqueue($"bad request: key '{key}', body order {order?.OrderId}");
            http.Response.StatusCode = 400;
            return;
        }
        if (ExpectedBearer is { } bearer && http.Request.Headers.Authorization.ToString() != "Bearer " + bearer)
        {
            _problems.Enqueue("missing or wrong bearer");
            http.Response.StatusCode = 401;
            return;
        }
        var attempt = _attempts.AddOrUpdate(key, 1, (_, n) => n + 1);
        if (_accepted.ContainsKey(key))
        {
            // A replay of an order already taken: same answer, no second effect.
            http.Response.StatusCode = 201;
            await http.Response.WriteAsJsonAsync(new { orderId = key, status = "confirmed" });
            return;
        }
        var status = Script(key, attempt, order);
        if (status is >= 200 and < 300 && !_accepted.TryAdd(key, order)) _problems.Enqueue($"order {key} taken twice");
        // The stall comes after the decision: an order can be taken while its answer never reaches the relay.
        var stall = Stall(key, attempt);
        if (stall > TimeSpan.Zero)
        {
            try { await Task.Delay(stall, http.RequestAborted); }
            catch (OperationCanceledException) { return; }
        }
        http.Response.StatusCode = status;
        if (status == 429 || status == 503) http.Response.Headers.RetryAfter = "0";
        await http.Response.WriteAsJsonAsync(new { orderId = key, status = status < 300 ? "confirmed" : "error" });
    }

    public async ValueTask DisposeAsync()
    {
        using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(5));
        try { await _app.StopAsync(stop.Token); }
        finally { await _app.DisposeAsync(); }
    }
}
