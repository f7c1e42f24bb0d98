namespace Relay.Server.Diagnostics;

// Event ids 6180-6199: the node registry, its heartbeat and the engine probes (issue 14). Never a connection string:
// engines are named by role (and PostgreSQL by PostgresDatabase.Host only).
internal static partial class ClusterNodesLog
{
    [LoggerMessage(6180, LogLevel.Information, "Node {NodeId} joined the cluster at {InternalUrl} (lease {LeaseSeconds} s)")]
    public static partial void NodeJoined(ILogger logger, string nodeId, string? internalUrl, double leaseSeconds);

    [LoggerMessage(6181, LogLevel.Warning, "{Dependency} is unavailable ({Reason}): this node is not ready until it answers again")]
    public static partial void DependencyDown(ILogger logger, string dependency, string reason);

    [LoggerMessage(6182, LogLevel.Information, "{Dependency} answers again: this node is ready again")]
    public static partial void DependencyBack(ILogger logger, string dependency);

    [LoggerMessage(6183, LogLevel.Warning, "The node registry's heartbeat failed ({Reason}); retrying in {DelaySeconds} s")]
    public static partial void HeartbeatFailed(ILogger logger, string reason, double delaySeconds);

    [LoggerMessage(6184, LogLevel.Information, "Node {NodeId} left the registry on shutdown")]
    public static partial void NodeLeft(ILogger logger, string nodeId);

    [LoggerMessage(6185, LogLevel.Warning, "Metrics existed before the cluster registered: series of node {NodeId} carry no node label")]
    public static partial void NodeLabelNotApplied(ILogger logger, string nodeId);

    [LoggerMessage(6186, LogLevel.Information, "Nodes alive: {Count} ({Nodes})")]
    public static partial void NodesChanged(ILogger logger, int count, string nodes);
}
