using System.Data.Common;

namespace Relay.Common.Storage;

/// <summary>
/// One numbered step of a module's schema, run inside the migration's transaction. Written against ADO.NET's
/// <see cref="DbConnection"/> so the same runner can drive another provider (PostgreSQL) whose modules list their own SQL.
/// </summary>
public sealed class Migration
{
    private readonly Func<DbConnection, DbTransaction, CancellationToken, Task> _apply;

    private Migration(int version, Func<DbConnection, DbTransaction, CancellationToken, Task> apply)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(version, 1);
        Version = version;
        _apply = apply;
    }

    /// <summary>The version the schema has after this step.</summary>
    public int Version { get; }

    /// <summary>A step that is plain SQL (one or more statements).</summary>
    public static Migration Sql(int version, string sql) => new(version, async (connection, transaction, ct) =>
    {
        await using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = sql;
        await command.ExecuteNonQueryAsync(ct);
    });

    /// <summary>A step that needs to look before it writes (e.g. add a column only where it is missing).</summary>
    public static Migration Code(int version, Func<DbConnection, DbTransaction, CancellationToken, Task> apply) => new(version, apply);

    public Task ApplyAsync(DbConnection connection, DbTransaction transaction, CancellationToken cancellationToken) =>
        _apply(connection, transaction, cancellationToken);
}
