namespace Relay.Server.Limits;

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
