using Microsoft.Extensions.Logging;
using Npgsql;
using Relay.Chat.Diagnostics;
using Relay.Common.Storage;

namespace Relay.Chat.Storage.Postgres;

/// <summary>
/// The live room's access to the cluster's PostgreSQL (<see cref="PostgresDatabase"/>, shared by every node): its tables
/// (<see cref="PostgresChatSchema"/>) are migrated under the cluster's advisory lock at start and, should that have
/// failed, at first use. Write transactions are READ COMMITTED; what must be exact across nodes locks the rows it
/// changes (<see cref="CommerceDialect.Postgres"/>).
/// </summary>
public sealed class PostgresChatDatabase : ICommerceDatabase
{
    private readonly PostgresDatabase _database;
    private readonly ILogger<PostgresChatDatabase> _logger;
    private readonly Lock _readyGate = new();
    private Task? _ready;

    public PostgresChatDatabase(PostgresDatabase database, ILogger<PostgresChatDatabase> logger)
    {
        _database = database;
        _logger = logger;
    }

    /// <summary>Where it points, without credentials.</summary>
    public string Host => _database.Host;

    /// <summary>Creates or upgrades the schema once; a failed attempt (database down) is retried by the next caller.</summary>
    public Task EnsureReadyAsync(CancellationToken cancellationToken)
    {
        lock (_readyGate)
        {
            if (_ready is null || _ready.IsFaulted || _ready.IsCanceled)
                _ready = MigrateAsync();
            return _ready.WaitAsync(cancellationToken);
        }
    }

    private async Task MigrateAsync()
    {
        var migration = await _database.MigrateAsync(PostgresChatSchema.Definition, CancellationToken.None);
        Log.PostgresStorageReady(_logger, _database.Host, migration.To);
    }

    CommerceDialect ICommerceDatabase.Dialect => CommerceDialect.Postgres;

    async Task<T> ICommerceDatabase.WriteAsync<T>(Func<ICommerceSession, Task<T>> work, CancellationToken cancellationToken)
    {
        await EnsureReadyAsync(cancellationToken);
        await using var connection = await _database.OpenAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(System.Data.IsolationLevel.ReadCommitted, cancellationToken);
        var result = await work(new PostgresSession(connection, transaction));
        // Commit is not cancellable on purpose: once the work succeeded, the caller's answer depends on it.
        await transaction.CommitAsync(CancellationToken.None);
        return result;
    }

    async Task<T> ICommerceDatabase.ReadAsync<T>(Func<ICommerceSession, Task<T>> work, CancellationToken cancellationToken)
    {
        await EnsureReadyAsync(cancellationToken);
        await using var connection = await _database.OpenAsync(cancellationToken);
        return await work(new PostgresSession(connection, null));
    }

    /// <summary>A constraint (a duplicate key another node wrote first, a CHECK) or a deadlock may be one request's;
    /// a lost connection, a timeout or a database shutting down is everyone's.</summary>
    bool ICommerceDatabase.MayBeOneRequest(Exception exception) =>
        exception is InvalidOperationException
        || exception is PostgresException { SqlState: var state } && (state.StartsWith("23", StringComparison.Ordinal) || state is "40001" or "40P01" or "22003");
}
