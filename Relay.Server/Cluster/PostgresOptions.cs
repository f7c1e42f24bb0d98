namespace Relay.Server.Cluster;

/// <summary><c>Relay:Postgres</c>: the cluster's source of truth.</summary>
public sealed class PostgresOptions
{
    /// <summary>An Npgsql connection string, e.g. <c>Host=db;Database=relay;Username=relay;Password=…</c>.</summary>
    public string? ConnectionString { get; set; }
}
