using System.Net;
using Microsoft.Extensions.Options;

namespace Relay.Server.Limits;

/// <summary>
/// Settings under <c>Relay:Limits</c>: what anonymous HTTP clients may hold open or send, per client address and per
/// node. The client address is the TCP peer, or the <c>X-Forwarded-For</c> client when the peer is one of
/// <see cref="TrustedProxyOptions.KnownProxies"/> (see docs/operations.md, "Load limits").
/// </summary>
public sealed class LoadLimitsOptions
{
    public const string Section = "Relay:Limits";

    /// <summary>Open hub connections (<c>/hubs/live</c>, WebSocket, SSE or a pending long poll, and negotiate) per client address.</summary>
    public int HubConnectionsPerIp { get; set; } = 200;

    /// <summary>Open hub connections on this node.</summary>
    public int HubConnections { get; set; } = 50_000;

    /// <summary>HTTP-FLV viewers (<c>/live/{id}.flv</c>) per client address.</summary>
    public int FlvViewersPerIp { get; set; } = 20;

    /// <summary>HTTP-FLV viewers on this node, all channels.</summary>
    public int FlvViewers { get; set; } = 5_000;

    /// <summary>REST (<c>/api/</c>) and hub negotiate requests per second per client address, sustained.</summary>
    public double RestRequestsPerSecondPerIp { get; set; } = 20;

    /// <summary>REST and negotiate requests a client address may send at once before the per-second rate applies.</summary>
    public int RestBurstPerIp { get; set; } = 200;

    /// <summary>
    /// Loopback clients (127.0.0.0/8, ::1) bypass every limit above. Off by default: behind a reverse proxy on the
    /// same host every client is loopback unless the proxy is a known proxy, and exempting loopback would switch
    /// the limits off for everyone. For benchmarks and local tools only.
    /// </summary>
    public bool ExemptLoopback { get; set; }
}

/// <summary>Settings under <c>Relay:ForwardedHeaders</c>: which peers may say who the client is.</summary>
public sealed class TrustedProxyOptions
{
    public const string Section = "Relay:ForwardedHeaders";

    /// <summary>Addresses of reverse proxies / load balancers whose <c>X-Forwarded-For</c>, <c>-Proto</c> and <c>-Host</c> are believed.</summary>
    public List<string> KnownProxies { get; set; } = [];

    /// <summary>Networks (CIDR, e.g. <c>10.0.0.0/8</c>) of such proxies.</summary>
    public List<string> KnownNetworks { get; set; } = [];

    /// <summary>Proxies in a chain (each appends one address to <c>X-Forwarded-For</c>).</summary>
    public int ForwardLimit { get; set; } = 1;
}

public sealed class LoadLimitsOptionsValidator : IValidateOptions<LoadLimitsOptions>
{
    public ValidateOptionsResult Validate(string? name, LoadLimitsOptions options)
    {
        var errors = new List<string>();
        const string p = LoadLimitsOptions.Section;
        Range(options.HubConnectionsPerIp, nameof(options.HubConnectionsPerIp), 1_000_000);
        Range(options.HubConnections, nameof(options.HubConnections), 10_000_000);
        Range(options.FlvViewersPerIp, nameof(options.FlvViewersPerIp), 1_000_000);
        Range(options.FlvViewers, nameof(options.FlvViewers), 10_000_000);
        Range(options.RestRequestsPerSecondPerIp, nameof(options.RestRequestsPerSecondPerIp), 1_000_000);
        Range(options.RestBurstPerIp, nameof(options.RestBurstPerIp), 1_000_000);
        if (options.HubConnectionsPerIp > options.HubConnections)
        {
            errors.Add($"{p}:HubConnectionsPerIp ({options.HubConnectionsPerIp}) must not exceed {p}:HubConnections ({options.HubConnections})");
        }
        if (options.FlvViewersPerIp > options.FlvViewers)
        {
            errors.Add($"{p}:FlvViewersPerIp ({options.FlvViewersPerIp}) must not exceed {p}:FlvViewers ({options.FlvViewers})");
        }
        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);

        void Range(double value, string key, double max)
        {
            if (!(value >= 1) || value > max)
            {
                errors.Add($"{p}:{key} must be at least 1 and at most {max} (got {value})");
            }
        }
    }
}

public sealed class TrustedProxyOptionsValidator : IValidateOptions<TrustedProxyOptions>
{
    public ValidateOptionsResult Validate(string? name, TrustedProxyOptions options)
    {
        var errors = new List<string>();
        const string p = TrustedProxyOptions.Section;
        for (var i = 0; i < options.KnownProxies.Count; i++)
        {
            if (!IPAddress.TryParse(options.KnownProxies[i], out _))
            {
                errors.Add($"{p}:KnownProxies:{i}: '{options.KnownProxies[i]}' is not an IP address");
            }
        }
        for (var i = 0; i < options.KnownNetworks.Count; i++)
        {
            if (!System.Net.IPNetwork.TryParse(options.KnownNetworks[i], out _))
            {
                errors.Add($"{p}:KnownNetworks:{i}: '{options.KnownNetworks[i]}' is not a network in CIDR form (e.g. 10.0.0.0/8)");
            }
        }
        if (options.ForwardLimit is < 1 or > 10)
        {
            errors.Add($"{p}:ForwardLimit must be 1-10 (got {options.ForwardLimit})");
        }
        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }
}
