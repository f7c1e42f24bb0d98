using Microsoft.Data.Sqlite;

namespace Relay.Common.Storage;

/// <summary>
/// The embedded store: one SQLite file in WAL mode (<c>{DataDir}/relay.db</c>) that the channel catalog (Relay.Server)
/// and the live room (Relay.Chat) share, each module owning its tables and its <see cref="ModuleSchema"/>. Every
/// connection is opened the same way: pooled, <c>synchronous=NORMAL</c> (in WAL it survives a process kill; only an OS
/// crash may lose the last commits), <c>foreign_keys=ON</c>, and <c>busy_timeout=5000</c> so lock contention with
/// another process is a wait, not an error. WAL lets readers run beside the one writer.
/// </summary>
public sealed class SqliteDatabase
{
    public const string FileName = "relay.db";

    private const string ConnectionPragmas = "PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON; PRAGMA busy_timeout=5000;";

    // journal_mode is a property of the file, not of the connection: set once per database object, not per open.
    private volatile bool _walSet;

    /// <summary>The database file at <paramref name="path"/> (created on first open).</summary>
    public SqliteDatabase(string path)
        : this(new SqliteConnectionStringBuilder { DataSource = path, Cache = SqliteCacheMode.Private })
    {
    }

    private SqliteDatabase(SqliteConnectionStringBuilder builder)
    {
        builder.Mode = SqliteOpenMode.ReadWriteCreate;
        builder.Pooling = true;
        builder.DefaultTimeout = 30;
        ConnectionString = builder.ToString();
        Path = builder.DataSource;
    }

    /// <summary>From a connection string (e.g. <c>Relay:Chat:ConnectionString</c>); mode, pooling and timeout are Relay's.</summary>
    public static SqliteDatabase FromConnectionString(string connectionString) => new(new SqliteConnectionStringBuilder(connectionString));

    /// <summary>The data source: a file path, or <c>:memory:</c>.</summary>
    public string Path { get; }

    public string ConnectionString { get; }

    public async Task<SqliteConnection> OpenAsync(CancellationToken cancellationToken)
    {
        var connection = new SqliteConnection(ConnectionString);
        try
        {
            await connection.OpenAsync(cancellationToken);
            await using var pragma = connection.CreateCommand();
            pragma.CommandText = _walSet ? ConnectionPragmas : "PRAGMA journal_mode=WAL; " + ConnectionPragmas;
            await pragma.ExecuteNonQueryAsync(cancellationToken);
            _walSet = true;
            return connection;
        }
        catch
        {
            await connection.DisposeAsync();
            throw;
        }
    }

    /// <summary>Brings <paramref name="schema"/>'s tables to its latest version (see <see cref="SchemaMigrator"/>).</summary>
    public async Task<SchemaMigration> MigrateAsync(ModuleSchema schema, CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken);
        return await SchemaMigrator.MigrateAsync(connection, schema, cancellationToken);
    }
}
