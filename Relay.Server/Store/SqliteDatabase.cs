using Microsoft.Data.Sqlite;

namespace Relay.Server.Store;

/// <summary>
/// The embedded store: one SQLite file in WAL mode under DataDir. Each module owns its tables
/// and migrates them itself; this type only hands out configured connections.
/// </summary>
public sealed class SqliteDatabase
{
    public const string FileName = "relay.db";

    public SqliteDatabase(string path)
    {
        Path = path;
        ConnectionString = new SqliteConnectionStringBuilder
        {
            DataSource = path,
            Mode = SqliteOpenMode.ReadWriteCreate,
            Cache = SqliteCacheMode.Private,
            Pooling = true,
            DefaultTimeout = 30,
        }.ToString();
    }

    public string Path { get; }

    public string ConnectionString { get; }

    public async Task<SqliteConnection> OpenAsync(CancellationToken ct)
    {
        var connection = new SqliteConnection(ConnectionString);
        await connection.OpenAsync(ct);
        await using var pragma = connection.CreateCommand();
        // WAL lets readers run beside the writer; busy_timeout turns lock contention into a wait, not an error.
        pragma.CommandText = "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON; PRAGMA busy_timeout=5000;";
        await pragma.ExecuteNonQueryAsync(ct);
        return connection;
    }
}
