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
