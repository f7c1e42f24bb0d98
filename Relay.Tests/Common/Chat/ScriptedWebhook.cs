using System.Collections.Concurrent;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Relay.Tests.Common.Chat;

/// <summary>
/// A webhook receiver (the brand's CRM, or any signed endpoint) on its own Kestrel: it records every POST with its
/// headers and raw body, answers what <see cref="Script"/> says, and, given a secret, verifies each Standard Webhooks
/// signature with its own code (not Relay's): HMAC-SHA256 over "{webhook-id}.{webhook-timestamp}.{body}", the secret
/// `whsec_`+base64 or UTF-8 text. <see cref="Taken"/> counts the 2xx answers per Idempotency-Key that were a first
/// acceptance (a receiver deduplicating on the key): "exactly once in effect" means 1.
/// </summary>
public sealed class ScriptedWebhook : IAsyncDisposable
{
    /// <summary>One POST as received: <see cref="Attempt"/> counts the key's POSTs from 1.</summary>
    public sealed record Call(string Key, int Attempt, string? WebhookId, string? Timestamp, string? Signature, string Body, string Authorization, bool SignatureValid);

    private readonly WebApplication _app;
    private readonly byte[]? _key;
    private readonly ConcurrentQueue<Call> _calls = new();
    private readonly ConcurrentDictionary<string, int> _attempts = new();
    private readonly ConcurrentDictionary<string, int> _taken = new();

    public Func<Call, (int Status, string? RetryAfter)> Script { get; set; } = _ => (200, null);

    public Uri Endpoint { get; }

    public IReadOnlyList<Call> Calls => [.. _calls];

    public IReadOnlyDictionary<string, int> Taken => _taken;

    private ScriptedWebhook(WebApplication app, byte[]? key)
    {
        _app = app;
        _key = key;
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        Endpoint = new Uri(new Uri(address), "/hook");
    }

    /// <param name="secret">The signing secret Relay was given; null = signatures are not checked.</param>
    public static async Task<ScriptedWebhook> StartAsync(string? secret = null)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseKestrel().UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        var app = builder.Build();
        ScriptedWebhook? hook = null;
        app.MapPost("/hook", (HttpContext http) => hook!.HandleAsync(http));
        await app.StartAsync(TestContext.Current.CancellationToken);
        hook = new ScriptedWebhook(app, secret is null ? null : Key(secret));
        return hook;
    }

    /// <summary>The Standard Webhooks key rule, written here independently of Relay.Chat.Webhooks.</summary>
    public static byte[] Key(string secret) =>
        secret.StartsWith("whsec_", StringComparison.Ordinal) ? Convert.FromBase64String(secret[6..]) : Encoding.UTF8.GetBytes(secret);

    public static bool Verify(byte[] key, string? id, string? timestamp, string? signature, byte[] body)
    {
        if (id is null || timestamp is null || signature is null) return false;
        if (!long.TryParse(timestamp, NumberStyles.None, CultureInfo.InvariantCulture, out var ts)
            || Math.Abs(DateTimeOffset.UtcNow.ToUnixTimeSeconds() - ts) > 300) return false;
        using var hmac = new HMACSHA256(key);
        var expected = "v1," + Convert.ToBase64String(hmac.ComputeHash([.. Encoding.UTF8.GetBytes($"{id}.{timestamp}."), .. body]));
        return signature.Split(' ').Any(s => CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(s), Encoding.ASCII.GetBytes(expected)));
    }

    private async Task HandleAsync(HttpContext http)
    {
        using var buffer = new MemoryStream();
        await http.Request.Body.CopyToAsync(buffer);
        var body = buffer.ToArray();
        var key = http.Request.Headers["Idempotency-Key"].ToString();
        string? Header(string name) => http.Request.Headers.TryGetValue(name, out var v) ? v.ToString() : null;
        var (id, timestamp, signature) = (Header("webhook-id"), Header("webhook-timestamp"), Header("webhook-signature"));
        var valid = _key is not null && Verify(_key, id, timestamp, signature, body);
        var attempt = _attempts.AddOrUpdate(key, 1, (_, n) => n + 1);
        var call = new Call(key, attempt, id, timestamp, signature, Encoding.UTF8.GetString(body), http.Request.Headers.Authorization.ToString(), valid);
        _calls.Enqueue(call);
        if (_key is not null && !valid)
        {
            http.Response.StatusCode = 401;
            return;
        }
        var (status, retryAfter) = Script(call);
        if (status is >= 200 and < 300) _taken.AddOrUpdate(key, 1, (_, n) => n);
        http.Response.StatusCode = status;
        if (retryAfter is not null) http.Response.Headers.RetryAfter = retryAfter;
        await http.Response.WriteAsync("{}");
    }

    public async ValueTask DisposeAsync()
    {
        using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(5));
        try { await _app.StopAsync(stop.Token); }
        finally { await _app.DisposeAsync(); }
    }
}
