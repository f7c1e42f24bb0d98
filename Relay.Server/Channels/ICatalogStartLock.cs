namespace Relay.Server.Channels;

/// <summary>
/// Held while a node loads and seeds the catalog at start, when several nodes share one store: the first to take it
/// finds the store empty and seeds it (configured channels, the demo channel), the others find it seeded. The
/// embedded store has no such lock (one process owns the file).
/// </summary>
public interface ICatalogStartLock
{
    /// <summary>Waits for the lock; disposing the result releases it.</summary>
    Task<IAsyncDisposable> AcquireAsync(CancellationToken ct);
}
