using Microsoft.AspNetCore.DataProtection;
using Npgsql;
using Relay.Common.Storage;
using Relay.Server.Channels;

namespace Relay.Server.Store.Postgres;

/// <summary>
/// The catalog's start lock on the shared database: a session advisory lock, so nodes starting together seed one after
/// the other. Under it the node also makes sure the shared Data Protection key ring has a key: two nodes each creating
/// their own first key would each refuse the other's guest tokens until their cached rings expire. It also reads the
/// shared display-id secret (<see cref="PostgresDisplayIdSecret"/>).
/// </summary>
public sealed class PostgresCatalogStartLock(PostgresDatabase db, IDataProtectionProvider protection, PostgresDisplayIdSecret displayIds) : ICatalogStartLock
{
    /// <summary>Beside <see cref="PostgresDatabase.MigrationLock"/>, not the same lock: seeding runs after every module migrated.</summary>
    public const long SeedLock = PostgresDatabase.MigrationLock + 1;

    public async Task<IAsyncDisposable> AcquireAsync(CancellationToken ct)
    {
        var connection = await db.OpenAsync(ct);
        try
        {
            await using (var take = new NpgsqlCommand($"SELECT pg_advisory_lock({SeedLock})", connection))
            {
                await take.ExecuteNonQueryAsync(ct);
            }
            // Creates and stores the first key when the ring has none (the framework does it on first use).
            protection.CreateProtector("Relay.Cluster.KeyRing").Protect([1]);
            // Drawn by the first node (protected with that key), read by the others.
            _ = displayIds.Secret;
            return new Held(connection);
        }
        catch
        {
            await connection.DisposeAsync();
            throw;
        }
    }

    private sealed class Held(NpgsqlConnection connection) : IAsyncDisposable
    {
        public async ValueTask DisposeAsync()
        {
            try
            {
                await using var release = new NpgsqlCommand($"SELECT pg_advisory_unlock({SeedLock})", connection);
                await release.ExecuteNonQueryAsync(CancellationToken.None);
            }
            finally
            {
                // Should the unlock fail, the connection is broken: the pool drops it, and its session's lock ends with it.
                await connection.DisposeAsync();
            }
        }
    }
}
