using Relay.Chat.Access;
using System.Net;
using System.Net.Sockets;
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
public sealed class OrderEndpoint : IBuiltInOrderApiKey
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
        return BuiltInAddress(out var problem) ?? throw new InvalidOperationException(problem);
    }

    /// <summary>Why the built-in order API cannot be reached on loopback, or null when it can (or is not in use).
    /// Checked right after the server bound its addresses, so such a bind stops the start instead of every order.</summary>
    public string? BuiltInAddressProblem() => IsBuiltIn && BuiltInAddress(out var problem) is null ? problem : null;

    /// <summary>
    /// This process's own order API, always on loopback: a wildcard bind and a host-name bind (Kestrel listens on
    /// every interface for a name other than localhost) are reached on 127.0.0.1 or [::1]; a bind to one specific
    /// non-loopback address is not reachable there and is skipped. Dialling the bound name instead could resolve to
    /// a public address, where the relaxed certificate check of this mode must never apply.
    /// </summary>
    private Uri? BuiltInAddress(out string problem)
    {
        problem = $"{OrdersOptions.Section}:Endpoint is unset, so orders go to the built-in order API on loopback, but the server listens on no loopback or wildcard address; add http://127.0.0.1:PORT to --urls or set {OrdersOptions.Section}:Endpoint.";
        var addresses = _server?.Features.Get<IServerAddressesFeature>()?.Addresses;
        if (addresses is null) return null;
        var candidates = addresses.Select(OnLoopback).OfType<Uri>().ToList();
        var chosen = candidates.FirstOrDefault(u => u.Scheme == Uri.UriSchemeHttp) ?? candidates.FirstOrDefault();
        return chosen;
    }

    private static Uri? OnLoopback(string address)
    {
        var text = address.Replace("://+", "://0.0.0.0").Replace("://*", "://0.0.0.0");
        if (!Uri.TryCreate(text, UriKind.Absolute, out var bound) || bound.Scheme is not ("http" or "https")) return null;
        var uri = new UriBuilder(bound) { Path = "/api/v1/orders", Query = "", Fragment = "" };
        if (IPAddress.TryParse(bound.Host.Trim('[', ']'), out var ip))
        {
            if (ip.Equals(IPAddress.Any)) uri.Host = "127.0.0.1";
            else if (ip.Equals(IPAddress.IPv6Any)) uri.Host = "[::1]";
            else if (!IPAddress.IsLoopback(ip)) return null;
        }
        else
        {
            uri.Host = "127.0.0.1";
        }
        return uri.Uri;
    }

    /// <summary>The built-in mode's connect callback: refuses any destination that is not a loopback address.</summary>
    public static async ValueTask<Stream> ConnectLoopbackOnlyAsync(SocketsHttpConnectionContext context, CancellationToken cancellationToken)
    {
        if (!IPAddress.TryParse(context.DnsEndPoint.Host.Trim('[', ']'), out var ip) || !IPAddress.IsLoopback(ip))
            throw new HttpRequestException(HttpRequestError.ConnectionError, "the built-in order API is only dialled on loopback");
        var socket = new Socket(ip.AddressFamily, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            await socket.ConnectAsync(new IPEndPoint(ip, context.DnsEndPoint.Port), cancellationToken);
            return new NetworkStream(socket, ownsSocket: true);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }
}
