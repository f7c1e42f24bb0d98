namespace Relay.Server.Cluster;

/// <summary><c>Relay:Redis</c>: what the nodes share but need not keep (backplane, room state, leases, registry).</summary>
public sealed class RedisOptions
{
    /// <summary>A StackExchange.Redis configuration string, e.g. <c>redis:6379,password=…</c>.</summary>
    public string? Configuration { get; set; }
}
