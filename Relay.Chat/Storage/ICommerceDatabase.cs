namespace Relay.Chat.Storage;

/// <summary>The engine under the live room's stores: the embedded SQLite file (<see cref="ChatDatabase"/>) or the
/// cluster's PostgreSQL (<see cref="Postgres.PostgresChatDatabase"/>). The stores' rules are written once against it.</summary>
internal interface ICommerceDatabase
{
    CommerceDialect Dialect { get; }

    /// <summary>Runs <paramref name="work"/> in one write transaction; commits when it returns, rolls back when it throws.</summary>
    Task<T> WriteAsync<T>(Func<ICommerceSession, Task<T>> work, CancellationToken cancellationToken);

    /// <summary>Runs <paramref name="work"/> on a connection of its own, outside any write transaction.</summary>
    Task<T> ReadAsync<T>(Func<ICommerceSession, Task<T>> work, CancellationToken cancellationToken);

    /// <summary>Whether a failed group-commit batch may have failed because of one of its requests (a constraint), so
    /// that trying each one alone isolates it; false for a lost connection or a database that is down, where every
    /// request would fail again and each retry would wait for its own timeout.</summary>
    bool MayBeOneRequest(Exception exception);
}
