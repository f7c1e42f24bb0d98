namespace Relay.Server.Cluster.Nodes;

/// <summary>The nodes of the service that are alive now (a registry entry not yet expired), by id.</summary>
public interface INodeRegistry
{
    Task<IReadOnlyList<NodeInfo>> ListAsync(CancellationToken ct);
}
