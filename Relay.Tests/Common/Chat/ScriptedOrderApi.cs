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
/// A brand's order service on its own Kestrel, idempotent the way the IETF Idempotency-Key draft describes: a key
/// whose first POST is still being processed gets 409, a key already taken gets the first answer again (201), and
/// anything else gets what the test's <see cref="Script"/> says, so each answer class of the contract can be played.
/// <see cref="Taken"/> counts how often each order was really created: "exactly once in effect" means 1.
/// Anything under <c>/orders/</c> (the target of its redirects) is counted in <see cref="RedirectsFollowed"/>.
/// </summary>
public sealed class ScriptedOrderApi : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly ConcurrentDictionary<string, int> _attempts = new();
    private readonly ConcurrentDictionary<string, int> _taken = new();
    private readonly ConcurrentDictionary<string, OrderApiRequest> _orders = new();
    private readonly ConcurrentQueue<string> _problems = new();
    private readonly ConcurrentDictionary<string, string?> _checkoutUrls = new();
    private readonly ConcurrentDictionary<string, byte> _inFlight = new();
    private readonly ConcurrentQueue<(string Key, int Attempt, int Status, DateTimeOffset At)> _log = new();
    private int _redirectsFollowed;

    public Func<OrderCall, ScriptedAnswer> Script { get; set; } = _ => ScriptedAnswer.Created();

    public Uri Endpoint { get; }

    /// <summary>POSTs received per Idempotency-Key.</summary>
    public IReadOnlyDictionary<string, int> Attempts => _attempts;

    /// <summary>Orders created per Idempotency-Key.</summary>
    public IReadOnlyDictionary<string, int> Taken => _taken;

    /// <summary>The body of each order created, by Idempotency-Key.</summary>
    public IReadOnlyDictionary<string, OrderApiRequest> Orders => _orders;

    /// <summary>Protocol violations seen (no Idempotency-Key, a key not matching the body's order id); each got 400.</summary>
    public IReadOnlyCollection<string> Problems => _problems;

    /// <summary>Every answer given, in order: key, attempt, status, when the request arrived.</summary>
    public IReadOnlyCollection<(string Key, int Attempt, int Status, DateTimeOffset At)> Answers => _log;

    public int RedirectsFollowed => Volatile.Read(ref _redirectsFollowed);

    private ScriptedOrderApi(WebApplication app)
    {
        _app = app;
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        Endpoint = new Uri(new Uri(address), "/orders");
    }

    public static async Task<ScriptedOrderApi> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseKestrel().UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        var app = builder.Build();
        ScriptedOrderApi? api = null;
        app.MapPost("/orders", (HttpContext http) => api!.HandleAsync(http));
        app.Map("/orders/{**rest}", (HttpContext http) =>
        {
            Interlocked.Increment(ref api!._redirectsFollowed);
            return Results.Json(new { status = "confirmed" });
        });
        await app.StartAsync(TestContext.Current.CancellationToken);
        api = new ScriptedOrderApi(app);
        return api;
    }

    private async Task HandleAsync(HttpContext http)
    {
        var arrived = DateTimeOffset.UtcNow;
        var key = http.Request.Headers["Idempotency-Key"].ToString();
        var order = await JsonSerializer.DeserializeAsync<OrderApiRequest>(http.Request.Body, JsonSerializerOptions.Web);
        if (key.Length == 0 || order is null || order.OrderId != key)
        {
            _problems.Enqueue($"bad request: key '{key}', body order {order?.OrderId}");
            http.Response.StatusCode = 400;
            return;
        }
        var attempt = _attempts.AddOrUpdate(key, 1, (_, n) => n + 1);
        if (_taken.ContainsKey(key))
        {
            await AnswerAsync(http, key, attempt, arrived, new ScriptedAnswer(201, CheckoutUrl: _checkoutUrls.GetValueOrDefault(key)));
            return;
        }
        if (!_inFlight.TryAdd(key, 0))
        {
            await AnswerAsync(http, key, attempt, arrived, new ScriptedAnswer(409));
            return;
        }
        ScriptedAnswer answer;
        try
        {
            answer = Script(new OrderCall(key, attempt, order, http.Request.Headers.Authorization.ToString()));
            if (answer.Take)
            {
                // The brand goes on creating the order whether or not the relay still waits for the answer.
                if (answer.Delay > TimeSpan.Zero) await Task.Delay(answer.Delay);
                _checkoutUrls[key] = answer.CheckoutUrl;
                _orders.TryAdd(key, order);
                _taken.AddOrUpdate(key, 1, (_, n) => n + 1);
            }
            else if (answer.Delay > TimeSpan.Zero)
            {
                try { await Task.Delay(answer.Delay, http.RequestAborted); }
                catch (OperationCanceledException) { return; }
            }
        }
        finally
        {
            _inFlight.TryRemove(key, out _);
        }
        if (answer.Stall > TimeSpan.Zero)
        {
            try { await Task.Delay(answer.Stall, http.RequestAborted); }
            catch (OperationCanceledException) { return; }
        }
        await AnswerAsync(http, key, attempt, arrived, answer);
    }

    private async Task AnswerAsync(HttpContext http, string key, int attempt, DateTimeOffset arrived, ScriptedAnswer answer)
    {
        _log.Enqueue((key, attempt, answer.Status, arrived));
        if (http.RequestAborted.IsCancellationRequested) return;
        try
        {
            http.Response.StatusCode = answer.Status;
            if (answer.RetryAfter is { } retryAfter) http.Response.Headers.RetryAfter = retryAfter;
            if (answer.Location is { } location) http.Response.Headers.Location = location;
            if (answer.Status is >= 200 and < 300)
                await http.Response.WriteAsJsonAsync(new { orderId = key, status = "confirmed", checkoutUrl = answer.CheckoutUrl });
            else if (answer.Status is < 300 or >= 400)
                await http.Response.WriteAsJsonAsync(new { orderId = key, status = "error" });
        }
        catch (Exception ex) when (ex is IOException or OperationCanceledException)
        {
            // The relay hung up (its attempt timed out): the answer is lost, the effect is not.
        }
    }

    public async ValueTask DisposeAsync()
    {
        using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(5));
        try { await _app.StopAsync(stop.Token); }
        finally { await _app.DisposeAsync(); }
    }
}
