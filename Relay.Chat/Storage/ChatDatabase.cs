using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging;
using Relay.Chat.Diagnostics;

namespace Relay.Chat.Storage;

/// <summary>
/// The embedded store: one SQLite file in WAL mode shared with the server. All writes of this process
/// go through one gate so reservations queue in memory (first come, first served) instead of spinning
/// on SQLITE_BUSY; BEGIN IMMEDIATE plus the busy timeout still protect against another process.
/// </summary>
public sealed class ChatDatabase : IAsyncDisposable
{
    private readonly string _connectionString;
    private readonly ILogger<ChatDatabase> _logger;
    private readonly SemaphoreSlim _writeGate = new(1, 1);
    private readonly Lock _readyGate = new();
    private Task? _ready;

    public ChatDatabase(string connectionString, ILogger<ChatDatabase> logger)
    {
        var builder = new SqliteConnectionStringBuilder(connectionString)
        {
            Mode = SqliteOpenMode.ReadWriteCreate,
            DefaultTimeout = 30,
            Pooling = true,
        };
        _connectionString = builder.ToString();
        _logger = logger;
    }

    /// <summary>Creates or upgrades the schema once; a failed attempt (disk full, bad path) is retried by the next caller.</summary>
    public Task EnsureReadyAsync(CancellationToken cancellationToken)
    {
        lock (_readyGate)
        {
            if (_ready is null || _ready.IsFaulted || _ready.IsCanceled)
                _ready = MigrateAsync(CancellationToken.None);
            return _ready.WaitAsync(cancellationToken);
        }
    }

    /// <summary>For readiness checks: throws when the store cannot be opened, migrated or read.</summary>
    public async Task PingAsync(CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken);
        await using var ping = connection.Command(null, "SELECT version FROM chat_schema_version WHERE id = 1;");
        await ping.ExecuteScalarAsync(cancellationToken);
    }

    public async Task<SqliteConnection> OpenAsync(CancellationToken cancellationToken)
    {
        await EnsureReadyAsync(cancellationToken);
        return await OpenRawAsync(cancellationToken);
    }

    /// <summary>Runs <paramref name="work"/> in one IMMEDIATE transaction; commits when it returns.</summary>
    public async Task<T> WriteAsync<T>(Func<SqliteConnection, SqliteTransaction, Task<T>> work, CancellationToken cancellationToken)
    {
        await EnsureReadyAsync(cancellationToken);
        await _writeGate.WaitAsync(cancellationToken);
        try
        {
            await using var connection = await OpenRawAsync(cancellationToken);
            await using var transaction = (SqliteTransaction)await connection.BeginTransactionAsync(cancellationToken);
            var result = await work(connection, transaction);
            // Commit is not cancellable on purpose: once the work succeeded, the caller's answer depends on it.
            await transaction.CommitAsync(CancellationToken.None);
            return result;
        }
        finally
        {
            _writeGate.Release();
        }
    }

    private async Task<SqliteConnection> OpenRawAsync(CancellationToken cancellationToken)
    {
        var connection = new SqliteConnection(_connectionString);
        await connection.OpenAsync(cancellationToken);
        await using (var pragma = connection.CreateCommand())
        {
            // NORMAL in WAL mode survives a process kill (only an OS crash may lose the last commits).
            pragma.CommandText = "PRAGMA synchronous=NORMAL;";
            await pragma.ExecuteNonQueryAsync(cancellationToken);
        }
        return connection;
    }

    private async Task MigrateAsync(CancellationToken cancellationToken)
    {
        var dataSource = new SqliteConnectionStringBuilder(_connectionString).DataSource;
        if (!string.IsNullOrEmpty(dataSource) && dataSource != ":memory:" && Path.GetDirectoryName(Path.GetFullPath(dataSource)) is { } dir)
            Directory.CreateDirectory(dir);

        await using var connection = await OpenRawAsync(cancellationToken);
        await using (var wal = connection.CreateCommand())
        {
            wal.CommandText = "PRAGMA journal_mode=WAL;";
            await wal.ExecuteNonQueryAsync(cancellationToken);
        }
        await using var transaction = (SqliteTransaction)await connection.BeginTransactionAsync(cancellationToken);
        await ExecAsync(connection, transaction, "CREATE TABLE IF NOT EXISTS chat_schema_version (id INTEGER PRIMARY KEY CHECK (id = 1), version INTEGER NOT NULL);", cancellationToken);
        await using var read = connection.CreateCommand();
        read.Transaction = transaction;
        read.CommandText = "SELECT version FROM chat_schema_version WHERE id = 1;";
        var version = Convert.ToInt32(await read.ExecuteScalarAsync(cancellationToken) ?? 0);
        for (var next = version; next < Migrations.Length; next++)
            await ExecAsync(connection, transaction, Migrations[next], cancellationToken);
        await ExecAsync(connection, transaction,
            $"INSERT INTO chat_schema_version (id, version) VALUES (1, {Migrations.Length}) ON CONFLICT(id) DO UPDATE SET version = excluded.version;",
            cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        Log.StorageReady(_logger, Migrations.Length);
    }

    private static async Task ExecAsync(SqliteConnection connection, SqliteTransaction transaction, string sql, CancellationToken cancellationToken)
    {
        await using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = sql;
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    // Append only: index i brings the schema from version i to i + 1.
    private static readonly string[] Migrations =
    [
        """
        CREATE TABLE chat_lineup_stock (
            channel_id TEXT NOT NULL, sku TEXT NOT NULL,
            remaining INTEGER NOT NULL CHECK (remaining >= 0),
            PRIMARY KEY (channel_id, sku));
        CREATE TABLE chat_flash_sales (
            sale_id TEXT PRIMARY KEY, channel_id TEXT NOT NULL, sku TEXT NOT NULL,
            price_cents INTEGER NOT NULL, currency TEXT NOT NULL,
            quantity INTEGER NOT NULL, remaining INTEGER NOT NULL CHECK (remaining >= 0 AND remaining <= quantity),
            ends_at INTEGER NOT NULL, ended INTEGER NOT NULL DEFAULT 0);
        CREATE INDEX chat_flash_sales_active ON chat_flash_sales (channel_id, ended);
        CREATE TABLE orders_orders (
            order_id TEXT PRIMARY KEY, channel_id TEXT NOT NULL, sku TEXT NOT NULL,
            quantity INTEGER NOT NULL, unit_price_cents INTEGER NOT NULL, currency TEXT NOT NULL,
            buyer_id TEXT NOT NULL, buyer_name TEXT NOT NULL, referrer TEXT NULL,
            flash_sale_id TEXT NULL, lineup_reserved INTEGER NOT NULL,
            status TEXT NOT NULL, attempts INTEGER NOT NULL DEFAULT 0,
            next_attempt_at INTEGER NOT NULL, lease_until INTEGER NOT NULL DEFAULT 0,
            last_error TEXT NULL, created_at INTEGER NOT NULL, updated_at INTEGER NOT NULL);
        CREATE INDEX orders_orders_due ON orders_orders (status, next_attempt_at);
        CREATE INDEX orders_orders_channel ON orders_orders (channel_id, created_at);
        CREATE TABLE orders_purchase_keys (
            channel_id TEXT NOT NULL, buyer_id TEXT NOT NULL, idempotency_key TEXT NOT NULL,
            order_id TEXT NOT NULL, PRIMARY KEY (channel_id, buyer_id, idempotency_key));
        CREATE TABLE orders_api_received (
            idempotency_key TEXT PRIMARY KEY, order_id TEXT NOT NULL, channel_id TEXT NOT NULL,
            body TEXT NOT NULL, response TEXT NOT NULL, received_at INTEGER NOT NULL);
        CREATE INDEX orders_api_received_channel ON orders_api_received (channel_id, received_at);
        """,
        // v2 stock rule: `stock` is the total the show may sell and `held` the units of its orders that are not failed
        // (pending, confirmed, dead letter), so remaining = max(0, stock - held) and a new line-up never makes sold
        // units sellable again. `epoch` counts explicit stock resets; an order remembers the epoch it was counted in
        // and gives its units back only to that epoch. Every sku of a line-up has a row (stock NULL = unlimited) so
        // `held` is what was sold whatever the stock was. Existing rows keep what buyers can get: held = the sku's
        // orders that are not failed, stock = remaining + held.
        """
        CREATE TABLE chat_lineup_stock_v2 (
            channel_id TEXT NOT NULL, sku TEXT NOT NULL,
            stock INTEGER NULL CHECK (stock IS NULL OR stock >= 0),
            held INTEGER NOT NULL DEFAULT 0 CHECK (held >= 0),
            epoch INTEGER NOT NULL DEFAULT 0,
            PRIMARY KEY (channel_id, sku));
        INSERT INTO chat_lineup_stock_v2 (channel_id, sku, stock, held)
            SELECT s.channel_id, s.sku, s.remaining + COALESCE(h.units, 0), COALESCE(h.units, 0)
            FROM chat_lineup_stock s
            LEFT JOIN (SELECT channel_id, sku, SUM(quantity) AS units FROM orders_orders WHERE status <> 'failed' GROUP BY channel_id, sku) h
              ON h.channel_id = s.channel_id AND h.sku = s.sku;
        INSERT INTO chat_lineup_stock_v2 (channel_id, sku, stock, held)
            SELECT channel_id, sku, NULL, SUM(quantity) FROM orders_orders o
            WHERE status <> 'failed' AND NOT EXISTS (SELECT 1 FROM chat_lineup_stock s WHERE s.channel_id = o.channel_id AND s.sku = o.sku)
            GROUP BY channel_id, sku;
        DROP TABLE chat_lineup_stock;
        ALTER TABLE chat_lineup_stock_v2 RENAME TO chat_lineup_stock;
        ALTER TABLE orders_orders ADD COLUMN ledger_epoch INTEGER NOT NULL DEFAULT 0;
        -- Covering the per-buyer cap query (ReservationStatements), which runs in every reservation's transaction:
        -- it sums the buyer's orders of the sku from the index alone, without a table lookup per order.
        CREATE INDEX orders_orders_buyer ON orders_orders (channel_id, buyer_id, sku, status, ledger_epoch, flash_sale_id, quantity);
        """,
    ];

    public ValueTask DisposeAsync()
    {
        _writeGate.Dispose();
        return ValueTask.CompletedTask;
    }
}

internal static class SqliteCommandExtensions
{
    public static SqliteCommand Command(this SqliteConnection connection, SqliteTransaction? transaction, string sql, params (string Name, object? Value)[] parameters)
    {
        var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = sql;
        foreach (var (name, value) in parameters)
            command.Parameters.AddWithValue(name, value ?? DBNull.Value);
        return command;
    }
}
