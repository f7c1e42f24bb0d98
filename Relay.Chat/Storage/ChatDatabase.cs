using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging;
using Relay.Chat.Diagnostics;
using Relay.Common.Files;
using Relay.Common.Storage;

namespace Relay.Chat.Storage;

/// <summary>
/// The live room's access to the embedded store (<see cref="SqliteDatabase"/>: the file, WAL and pragmas it shares with
/// the server; <see cref="ChatSchema"/>: its tables, migrated on first use). All writes of this process
/// go through one gate so reservations queue in memory (first come, first served) instead of spinning
/// on SQLITE_BUSY; BEGIN IMMEDIATE plus the busy timeout still protect against another process.
/// </summary>
public sealed class ChatDatabase : ICommerceDatabase, IAsyncDisposable
{
    private readonly SqliteDatabase _database;
    private readonly ILogger<ChatDatabase> _logger;
    private readonly SemaphoreSlim _writeGate = new(1, 1);
    private readonly Lock _readyGate = new();
    private Task? _ready;

    public ChatDatabase(string connectionString, ILogger<ChatDatabase> logger)
    {
        _database = SqliteDatabase.FromConnectionString(connectionString);
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
        _ = await SchemaMigrator.VersionAsync(connection, null, ChatSchema.Module, cancellationToken);
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

    CommerceDialect ICommerceDatabase.Dialect => CommerceDialect.Sqlite;

    Task<T> ICommerceDatabase.WriteAsync<T>(Func<ICommerceSession, Task<T>> work, CancellationToken cancellationToken) =>
        WriteAsync(async (c, tx) =>
        {
            await using var session = new SqliteSession(c, tx);
            return await work(session);
        }, cancellationToken);

    async Task<T> ICommerceDatabase.ReadAsync<T>(Func<ICommerceSession, Task<T>> work, CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken);
        await using var session = new SqliteSession(connection, null);
        return await work(session);
    }

    /// <summary>One writer at a time on one file: any failure may be one request's (a constraint, a bad value).</summary>
    bool ICommerceDatabase.MayBeOneRequest(Exception exception) => true;

    private Task<SqliteConnection> OpenRawAsync(CancellationToken cancellationToken) => _database.OpenAsync(cancellationToken);

    private async Task MigrateAsync(CancellationToken cancellationToken)
    {
        // Relay.Server has made DataDir already; hosted alone (or on another path) the folder is made here, owner-only too.
        var dataSource = _database.Path;
        if (!string.IsNullOrEmpty(dataSource) && dataSource != ":memory:" && Path.GetDirectoryName(Path.GetFullPath(dataSource)) is { } dir)
            OwnerOnly.CreateDirectory(dir);

        var migration = await _database.MigrateAsync(ChatSchema.Definition, cancellationToken);
        Log.StorageReady(_logger, migration.To);
    }

    public ValueTask DisposeAsync()
    {
        _writeGate.Dispose();
        return ValueTask.CompletedTask;
    }
}
