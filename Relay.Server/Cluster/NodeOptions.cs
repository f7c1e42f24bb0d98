namespace Relay.Server.Cluster;

/// <summary><c>Relay:Node</c>: this node's name and how the others reach it.</summary>
public sealed class NodeOptions
{
    public const int DefaultLeaseSeconds = 10;

    /// <summary>The node's name in leases, the registry and the <c>node</c> metric label; default: the host name.</summary>
    public string? Id { get; set; }

    /// <summary>This node's HTTP base URL as the other nodes reach it (e.g. <c>http://10.0.0.5:8080</c>); default: from <c>--urls</c>.</summary>
    public string? InternalUrl { get; set; }

    /// <summary>How long a channel lease and a registry entry outlive a node that stopped renewing them.</summary>
    public int LeaseSeconds { get; set; } = DefaultLeaseSeconds;
}
