namespace Relay.Server.Cluster.Nodes;

/// <summary>The embedded default: the service is this one process, ready whenever it answers.</summary>
public sealed class LocalNodeRegistry(LocalNode local) : INodeRegistry
{
    public Task<IReadOnlyList<NodeInfo>> ListAsync(CancellationToken ct) => Task.FromResult<IReadOnlyList<NodeInfo>>([local.Snapshot(ready: true)]);
}
