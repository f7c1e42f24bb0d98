using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Relay.Server.Cluster.Nodes;

/// <summary><c>/readyz</c>'s <c>redis</c> check on a node of a cluster: Redis answers PING.</summary>
public sealed class RedisHealthCheck(DependencyProbe probe) : IHealthCheck
{
    public const string Name = "redis";

    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken ct) =>
        await probe.RedisAsync(ct) is { } problem
            ? HealthCheckResult.Unhealthy($"Redis unavailable: {problem}")
            : HealthCheckResult.Healthy("Redis answers");
}
