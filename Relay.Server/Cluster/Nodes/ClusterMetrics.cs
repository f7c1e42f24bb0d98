using Prometheus;

namespace Relay.Server.Cluster.Nodes;

/// <summary>
/// The cluster's own series. <c>relay_cluster_nodes</c> (contract v2) reads 1 on the embedded default; on a node of a
/// cluster it is the number of registry entries alive at its last heartbeat. <c>relay_dependency_up</c> exists only on
/// a node of a cluster, one series per engine (<see cref="Dependencies"/>).
/// </summary>
public static class ClusterMetrics
{
    public const string Postgres = "postgres";
    public const string Redis = "redis";

    public static readonly string[] Dependencies = [Postgres, Redis];

    public static readonly Gauge Nodes = Metrics.CreateGauge(
        "relay_cluster_nodes", "Nodes of the service seen alive (registry entries not expired) at this node's last heartbeat; 1 on the embedded default.");

    public static readonly Gauge DependencyUp = Metrics.CreateGauge(
        "relay_dependency_up", "1 while the engine answered this node's last probe (PostgreSQL: SELECT 1, Redis: PING), else 0. Only on a node of a cluster.", "dependency");
}
