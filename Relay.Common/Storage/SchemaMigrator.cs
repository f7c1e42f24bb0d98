using System.Data.Common;

namespace Relay.Common.Storage;

/// <summary>
/// Runs a module's pending migrations. One version table for every module, <c>relay_schema(module, version)</c>; one
/// transaction per run, so a failing step leaves the schema and its version as they were, and two processes starting on
/// one file take turns (SQLite's BEGIN IMMEDIATE plus the busy timeout). Plain ADO.NET and SQL that SQLite and
/// PostgreSQL both accept.
/// </summary>
public static class SchemaMigrator
{
    public const string VersionTable = "relay_schema";

    public static async Task<SchemaMigration> MigrateAsync(DbConnection connection, ModuleSchema schema, CancellationToken cancellationToken)
    {
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        await ExecuteAsync(connection, transaction, $"CREATE TABLE IF NOT EXISTS {VersionTable} (module TEXT PRIMARY KEY, version INTEGER NOT NULL);", cancellationToken);

        var stored = await VersionAsync(connection, transaction, schema.Module, cancellationToken);
        var from = stored ?? 0;
        if (stored is null && schema.LegacyVersion is { } legacy)
        {
            from = await legacy(connection, transaction, cancellationToken) ?? 0;
        }

        if (from > schema.LatestVersion)
        {
            throw new InvalidOperationException(
                $"{VersionTable}: module '{schema.Module}' is at version {from}, newer than this build's {schema.LatestVersion}; run the newer Relay or restore a backup");
        }

        foreach (var migration in schema.Migrations.Skip(from))
        {
            await migration.ApplyAsync(connection, transaction, cancellationToken);
        }

        // Also when the module has no row yet, e.g. right after adopting a legacy version that is already the latest.
        if (stored != schema.LatestVersion)
        {
            await using var upsert = connection.CreateCommand();
            upsert.Transaction = transaction;
            upsert.CommandText = $"INSERT INTO {VersionTable} (module, version) VALUES (@module, @version) ON CONFLICT (module) DO UPDATE SET version = excluded.version;";
            AddParameter(upsert, "@module", schema.Module);
            AddParameter(upsert, "@version", schema.LatestVersion);
            await upsert.ExecuteNonQueryAsync(cancellationToken);
        }

        await transaction.CommitAsync(cancellationToken);
        return new SchemaMigration(schema.Module, from, schema.LatestVersion);
    }

    /// <summary>The module's stored version, or null when it has none (readiness checks read it too).</summary>
    public static async Task<int?> VersionAsync(DbConnection connection, DbTransaction? transaction, string module, CancellationToken cancellationToken)
    {
        await using var read = connection.CreateCommand();
        read.Transaction = transaction;
        read.CommandText = $"SELECT version FROM {VersionTable} WHERE module = @module;";
        AddParameter(read, "@module", module);
        return await read.ExecuteScalarAsync(cancellationToken) is { } value and not DBNull ? Convert.ToInt32(value, System.Globalization.CultureInfo.InvariantCulture) : null;
    }

    private static async Task ExecuteAsync(DbConnection connection, DbTransaction transaction, string sql, CancellationToken cancellationToken)
    {
        await using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = sql;
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    private static void AddParameter(DbCommand command, string name, object value)
    {
        var parameter = command.CreateParameter();
        parameter.ParameterName = name;
        parameter.Value = value;
        command.Parameters.Add(parameter);
    }
}
