using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.Options;
using Relay.Chat.Configuration;

namespace Relay.Chat.Orders;

/// <summary>
/// Where orders go and with which key. With `Orders:Endpoint` unset the dispatcher posts over HTTP to this
/// process's own built-in order API, found from the addresses Kestrel actually bound (so `--urls` and port 0
/// work), with the same headers, retries and idempotency as a real order service: one code path, really exercised.
/// </summary>
public sealed class OrderEndpoint
{
    private readonly IOptions<OrdersOptions> _configured;
    private readonly IServer? _server;
    private readonly Lazy<string> _apiKey;

    public OrderEndpoint(IOptions<OrdersOptions> options, IServiceProvider services)
    {
        _configured = options;
        _server = services.GetService(typeof(IServer)) as IServer;
        // Without a configured key the built-in API still refuses strangers: a random per-process key that only
        // the dispatcher knows. A restarted process makes a new one; the outbox is delivered by that process.
        _apiKey = new Lazy<string>(() => string.IsNullOrEmpty(Settings.ApiKey) ? Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(32)) : Settings.ApiKey);
    }

    private OrdersOptions Settings => _configured.Value;

    public bool IsBuiltIn => string.IsNullOrWhiteSpace(Settings.Endpoint);

    /// <summary>Bearer sent to the order API (and required by the built-in one).</summary>
    public string ApiKey => _apiKey.Value;

    public bool SendsApiKey => IsBuiltIn || !string.IsNullOrEmpty(Settings.ApiKey);

    public bool IsBuiltInKey(string presented) =>
        CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(presented), Encoding.UTF8.GetBytes(ApiKey));

    /// <summary>For logs: no user info, no query (either may carry a credential).</summary>
    public string Redacted()
    {
        var uri = Resolve();
        return $"{uri.Scheme}://{uri.Authority}{uri.AbsolutePath}";
    }

    /// <summary>Only valid once the server has started (the dispatcher waits for ApplicationStarted).</summary>
    public Uri Resolve()
    {
        if (!IsBuiltIn) return new Uri(Settings.Endpoint!);
        var addresses = _server?.Features.Get<IServerAddressesFeature>()?.Addresses
            ?? throw new InvalidOperationException("Orders:Endpoint is unset and the server exposes no addresses for the built-in order API.");
        var chosen = addresses.FirstOrDefault(a => a.StartsWith("http://", StringComparison.OrdinalIgnoreCase)) ?? addresses.FirstOrDefault()
            ?? throw new InvalidOperationException("Orders:Endpoint is unset and the server is bound to no address.");
        var uri = new UriBuilder(chosen.Replace("://+", "://localhost").Replace("://*", "://localhost"));
        // A wildcard bind is reachable on loopback.
        if (uri.Host is "0.0.0.0" or "localhost") uri.Host = "127.0.0.1";
        else if (uri.Host is "[::]" or "::") uri.Host = "[::1]";
        uri.Path = "/api/v1/orders";
        return uri.Uri;
    }
}
