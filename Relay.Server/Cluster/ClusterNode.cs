namespace Relay.Server.Cluster;

/// <summary>This process as the cluster knows it: its id and the base URL the other nodes use to reach it.</summary>
public sealed class ClusterNode(string id, string? internalUrl, TimeSpan lease, bool clustered)
{
    public string Id { get; } = id;

    /// <summary>The configured internal URL; null until the server has bound and <see cref="ResolveInternalUrl"/> ran.</summary>
    public string? InternalUrl { get; private set; } = internalUrl;

    public TimeSpan Lease { get; } = lease;

    /// <summary>False on the embedded default: one process, nothing shared.</summary>
    public bool Clustered { get; } = clustered;

    /// <summary>When <c>Relay:Node:InternalUrl</c> is unset: the first bound address, a wildcard host replaced by the machine's name.</summary>
    public void ResolveInternalUrl(IEnumerable<string> boundAddresses)
    {
        if (InternalUrl is not null)
        {
            return;
        }

        var first = boundAddresses.FirstOrDefault(a => a.StartsWith("http://", StringComparison.Ordinal)) ?? boundAddresses.FirstOrDefault();
        if (first is null)
        {
            return;
        }

        var host = System.Net.Dns.GetHostName();
        InternalUrl = first.Replace("://0.0.0.0", $"://{host}").Replace("://[::]", $"://{host}").Replace("://+", $"://{host}").Replace("://*", $"://{host}").TrimEnd('/');
    }
}
