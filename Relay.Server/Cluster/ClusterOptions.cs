namespace Relay.Server.Cluster;

/// <summary>
/// The keys that make a process a node of a cluster (contract v2, "Several nodes"): <c>Relay:Postgres</c>,
/// <c>Relay:Redis</c> and <c>Relay:Node</c>. Both engines unset = the embedded default (SQLite, one process).
/// </summary>
public sealed class ClusterOptions
{
    public PostgresOptions Postgres { get; set; } = new();

    public RedisOptions Redis { get; set; } = new();

    public NodeOptions Node { get; set; } = new();

    /// <summary>True when both engines are configured (the validator refuses one without the other).</summary>
    public bool Enabled => !string.IsNullOrWhiteSpace(Postgres.ConnectionString) && !string.IsNullOrWhiteSpace(Redis.Configuration);
}
