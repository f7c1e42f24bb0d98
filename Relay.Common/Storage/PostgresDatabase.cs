using Npgsql;

namespace Relay.Common.Storage;

/// <summary>
/// The cluster's store: one PostgreSQL database that every node shares (<c>Relay:Postgres:ConnectionString</c>). The
/// channel catalog (Relay.Server) and the live room (Relay.Chat) each own their tables and their
/// <see cref="ModuleSchema"/>, as on SQLite. Built on Npgsql's slim data source (no reflection, NativeAOT-safe) with
/// its connection pool; every node migrates at start under one advisory lock, so nodes starting together take turns.
/// </summary>
public sealed class PostgresDatabase : IAsyncDisposable
{
    /// <summary>The advisory lock every node's migration takes (an arbitrary, fixed number: "relay" in ASCII).</summary>
    public const long MigrationLock = 0x72656C6179;

    private readonly NpgsqlDataSource _dataSource;

    public PostgresDatabase(string connectionString)
    {
        var builder = new NpgsqlConnectionStringBuilder(connectionString);
        if (string.IsNullOrEmpty(builder.ApplicationName))
        {
            builder.ApplicationName = "relay";
        }

        // The slim builder keeps the native executable small; arrays are the one extra it needs: the reservation batch
        // passes a batch's rows as arrays to unnest (one statement per batch instead of one per purchase).
        _dataSource = new NpgsqlSlimDataSourceBuilder(builder.ConnectionString).EnableArrays().Build();
        Host = $"{builder.Host}:{builder.Port}/{builder.Database}";
    }

    /// <summary>Where it points, without the credentials (for logs and readiness answers).</summary>
    public string Host { get; }

    public NpgsqlDataSource DataSource => _dataSource;

    public async Task<NpgsqlConnection> OpenAsync(CancellationToken cancellationToken) =>
        await _dataSource.OpenConnectionAsync(cancellationToken);

    /// <summary>Brings <paramref name="schema"/>'s tables to its latest version, one node at a time.</summary>
    public async Task<SchemaMigration> MigrateAsync(ModuleSchema schema, CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken);
        await using (var lockCommand = new NpgsqlCommand($"SELECT pg_advisory_lock({MigrationLock});", connection))
        {
            await lockCommand.ExecuteNonQueryAsync(cancellationToken);
        }

        try
        {
            return await SchemaMigrator.MigrateAsync(connection, schema, cancellationToken);
        }
        finally
        {
            await using var unlock = new NpgsqlCommand($"SELECT pg_advisory_unlock({MigrationLock});", connection);
            await unlock.ExecuteNonQueryAsync(CancellationToken.None);
        }
    }

    public ValueTask DisposeAsync() => _dataSource.DisposeAsync();
}
