using System.Data.Common;
using System.Security.Cryptography;
using Microsoft.AspNetCore.DataProtection;
using Npgsql;
using Relay.Common.Storage;
using Relay.Server.Configuration;
using Relay.Server.Diagnostics;

namespace Relay.Server.Store.Postgres;

/// <summary>
/// The channel catalog in the cluster's PostgreSQL, shared by every node (the rules are
/// <see cref="RelationalChannelStore"/>'s, as on SQLite). Every write notifies <see cref="CatalogChangeNotice.Channel"/>
/// in its own transaction, so the other nodes hear of it exactly when it is committed
/// (<see cref="ChannelChangeListener"/>). Secrets are encrypted with the Data Protection key ring the nodes share
/// (<see cref="PostgresXmlRepository"/>).
/// </summary>
public sealed class PostgresChannelStore(PostgresDatabase db, IDataProtectionProvider protection, ILogger<PostgresChannelStore> logger)
    : RelationalChannelStore(protection)
{
    /// <summary>This process in the notifications it sends, so its own listener skips them.</summary>
    public string Origin { get; } = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(8));

    public override async Task MigrateAsync(CancellationToken ct)
    {
        try
        {
            foreach (var schema in new[] { PostgresChannelsSchema.Definition, IdentitySchema.Definition })
            {
                var migration = await db.MigrateAsync(schema, ct);
                if (migration.From != migration.To)
                {
                    ClusterCatalogLog.Migrated(logger, db.Host, migration.Module, migration.From, migration.To);
                }
            }
        }
        catch (Exception e) when (PostgresFailure.Reason(e) is { } reason)
        {
            // The first connection of the start: an unreachable database stops it with one line, never the password.
            throw new StartupException($"Relay:Postgres:ConnectionString: cannot reach {db.Host} ({reason})");
        }
    }

    public override async Task<bool> CanReadAndWriteAsync(CancellationToken ct)
    {
        await using var c = await db.OpenAsync(ct);
        await using var tx = await c.BeginTransactionAsync(ct);
        // READ WRITE fails on a standby (a failed-over replica still in recovery); the read proves the tables are there.
        await using var cmd = Command(c, tx, "SET TRANSACTION READ WRITE; SELECT count(*) FROM channels;");
        await cmd.ExecuteScalarAsync(ct);
        await tx.RollbackAsync(ct);
        return true;
    }

    protected override async Task<DbConnection> OpenConnectionAsync(CancellationToken ct) => await db.OpenAsync(ct);

    // timestamptz keeps microseconds and takes UTC only.
    protected override object CreatedAtValue(DateTimeOffset createdAt) => createdAt.ToUniversalTime();

    protected override DateTimeOffset ReadCreatedAt(DbDataReader reader, int ordinal) => reader.GetFieldValue<DateTimeOffset>(ordinal);

    protected override async Task WrittenAsync(DbConnection connection, DbTransaction transaction, string channelId, CancellationToken ct)
    {
        await using var notify = Command(connection, transaction, "SELECT pg_notify(@channel, @payload)",
            ("@channel", CatalogChangeNotice.Channel), ("@payload", CatalogChangeNotice.Format(Origin, channelId)));
        await notify.ExecuteNonQueryAsync(ct);
    }
}
