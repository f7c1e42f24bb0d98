using Relay.Server.Cluster.Nodes;

namespace Relay.Server.Cluster;

/// <summary>
/// The node registry, readiness of the engines and the <c>node</c> metric label (issue 14, "nodes"). On the embedded
/// default: <c>GET /api/v1/nodes</c> lists this one process and <c>relay_cluster_nodes</c> reads 1, nothing else runs.
/// On a node of a cluster: <c>/readyz</c> gains the <c>postgres</c> and <c>redis</c> checks, a heartbeat keeps the
/// node's entry in Redis, and every series of the default registry carries <c>node="Relay:Node:Id"</c>.
/// </summary>
public static class ClusterNodesRegistration
{
    /// <summary>Called by <see cref="ClusterServiceCollectionExtensions.AddRelayCluster"/> once it registered the <see cref="ClusterNode"/>.</summary>
    public static IServiceCollection AddClusterNodes(this IServiceCollection services, ClusterOptions options)
    {
        var node = (ClusterNode)services.Last(d => d.ServiceType == typeof(ClusterNode)).ImplementationInstance!;
        services.AddSingleton<LocalNode>();
        if (!node.Clustered || new ClusterOptionsValidator().Validate(null, options).Failed)
        {
            services.AddSingleton<INodeRegistry, LocalNodeRegistry>();
            ClusterMetrics.Nodes.Set(1);
            return services;
        }

        // Before any metric of this process exists (the registry refuses static labels later).
        NodeMetricLabels.TryApply(node.Id);
        _ = ClusterMetrics.Nodes;
        services.AddSingleton<DependencyProbe>();
        services.AddSingleton<RedisNodeRegistry>();
        services.AddSingleton<INodeRegistry>(sp => sp.GetRequiredService<RedisNodeRegistry>());
        services.AddHostedService<NodeHeartbeat>();
        services.AddHealthChecks()
            .AddCheck<PostgresHealthCheck>(PostgresHealthCheck.Name, tags: ["ready"])
            .AddCheck<RedisHealthCheck>(RedisHealthCheck.Name, tags: ["ready"]);
        return services;
    }
}
