using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Relay.Server.Cluster.Nodes;

/// <summary><c>/readyz</c>'s <c>postgres</c> check on a node of a cluster: the database answers a query.</summary>
public sealed class PostgresHealthCheck(DependencyProbe probe) : IHealthCheck
{
    public const string Name = "postgres";

    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken ct) =>
        await probe.PostgresAsync(ct) is { } problem
            ? HealthCheckResult.Unhealthy($"PostgreSQL unavailable: {problem}")
            : HealthCheckResult.Healthy("PostgreSQL answers");
}
