using System.Data.Common;
using System.Text.Json;
using Microsoft.AspNetCore.DataProtection;
using Relay.Chat.Channels;
using Relay.Ingest.Egress;
using Relay.Server.Channels;

namespace Relay.Server.Store;

/// <summary>
/// The channel catalog's rules on any SQL engine, written once: the statements (plain SQL with <c>@name</c> parameters,
/// which SQLite and PostgreSQL both accept), the row mapping, the stored profile's JSON, and the secrets encrypted
/// with ASP.NET Data Protection before they touch the database. An engine brings its connection, its migrations, its
/// readiness probe, how it keeps a timestamp, and what it adds to a write's transaction (PostgreSQL: the change
/// notification the other nodes listen to).
/// </summary>
public abstract class RelationalChannelStore(IDataProtectionProvider protection) : IChannelStore
{
    /// <summary>The purpose every stored secret is protected under (changing it makes every stored key unreadable).</summary>
    public const string SecretsPurpose = "Relay.Store.Secrets.v1";

    private const string ChannelColumns = "id, title, stream_key_enc, host_key_enc, stream_key_from_config, host_key_from_config, created_at, rehearsal, next_show_at, backup_stream_key_enc";

    private readonly IDataProtector _protector = protection.CreateProtector(SecretsPurpose);

    public abstract Task MigrateAsync(CancellationToken ct);

    public abstract Task<bool> CanReadAndWriteAsync(CancellationToken ct);

    protected abstract Task<DbConnection> OpenConnectionAsync(CancellationToken ct);

    /// <summary>The parameter value a time (creation, next show) is stored as.</summary>
    protected abstract object CreatedAtValue(DateTimeOffset createdAt);

    protected abstract DateTimeOffset ReadCreatedAt(DbDataReader reader, int ordinal);

    /// <summary>Runs inside every write's transaction, after its rows are written (nothing on SQLite).</summary>
    protected virtual Task WrittenAsync(DbConnection connection, DbTransaction transaction, string channelId, CancellationToken ct) => Task.CompletedTask;

    public async Task<IReadOnlyList<ChannelDefinition>> ListAsync(CancellationToken ct)
    {
        await using var c = await OpenConnectionAsync(ct);
        var rows = new List<ChannelRow>();
        await using (var cmd = Command(c, null, $"SELECT {ChannelColumns} FROM channels ORDER BY created_at, id"))
        {
            await using var r = await cmd.ExecuteReaderAsync(ct);
            while (await r.ReadAsync(ct))
            {
                rows.Add(ReadChannelRow(r));
            }
        }
        var result = new List<ChannelDefinition>(rows.Count);
        foreach (var row in rows)
        {
            result.Add(await MaterializeAsync(c, row, ct));
        }
        return result;
    }

    public async Task<ChannelDefinition?> FindAsync(string id, CancellationToken ct)
    {
        await using var c = await OpenConnectionAsync(ct);
        ChannelRow? row = null;
        await using (var cmd = Command(c, null, $"SELECT {ChannelColumns} FROM channels WHERE id = @id", ("@id", id)))
        {
            await using var r = await cmd.ExecuteReaderAsync(ct);
            if (await r.ReadAsync(ct))
            {
                row = ReadChannelRow(r);
            }
        }
        return row is null ? null : await MaterializeAsync(c, row, ct);
    }

    public async Task<bool> TryCreateAsync(ChannelDefinition channel, CancellationToken ct)
    {
        await using var c = await OpenConnectionAsync(ct);
        await using var tx = await c.BeginTransactionAsync(ct);
        await using (var cmd = ChannelCommand(c, tx, channel, $"""
            INSERT INTO channels({ChannelColumns})
            VALUES (@id, @title, @sk, @hk, @skc, @hkc, @at, @rehearsal, @next, @bk) ON CONFLICT(id) DO NOTHING
            """))
        {
            if (await cmd.ExecuteNonQueryAsync(ct) == 0)
            {
                return false;
            }
        }
        await WriteDestinationsAsync(c, tx, channel.Id, channel.Destinations, ct);
        await WriteLineupAsync(c, tx, channel.Id, channel.Lineup, ct);
        await WrittenAsync(c, tx, channel.Id, ct);
        await tx.CommitAsync(ct);
        return true;
    }

    public async Task UpsertAsync(ChannelDefinition channel, CancellationToken ct)
    {
        await using var c = await OpenConnectionAsync(ct);
        await using var tx = await c.BeginTransactionAsync(ct);
        await using (var cmd = ChannelCommand(c, tx, channel, $"""
            INSERT INTO channels({ChannelColumns})
            VALUES (@id, @title, @sk, @hk, @skc, @hkc, @at, @rehearsal, @next, @bk)
            ON CONFLICT(id) DO UPDATE SET title = excluded.title, stream_key_enc = excluded.stream_key_enc,
                host_key_enc = excluded.host_key_enc, stream_key_from_config = excluded.stream_key_from_config,
                host_key_from_config = excluded.host_key_from_config, rehearsal = excluded.rehearsal,
                next_show_at = excluded.next_show_at,
                backup_stream_key_enc = COALESCE(excluded.backup_stream_key_enc, channels.backup_stream_key_enc)
            """))
        {
            await cmd.ExecuteNonQueryAsync(ct);
        }
        await WriteDestinationsAsync(c, tx, channel.Id, channel.Destinations, ct);
        await WriteLineupAsync(c, tx, channel.Id, channel.Lineup, ct);
        await WrittenAsync(c, tx, channel.Id, ct);
        await tx.CommitAsync(ct);
    }

    public Task<bool> DeleteAsync(string id, CancellationToken ct) =>
        WriteIfExistsAsync(id, (c, tx) => ExecuteAsync(Command(c, tx, "DELETE FROM channels WHERE id = @id", ("@id", id)), ct), ct);

    public Task<bool> SetStreamKeyAsync(string id, string streamKey, CancellationToken ct) =>
        WriteIfExistsAsync(id, (c, tx) => ExecuteAsync(Command(c, tx, "UPDATE channels SET stream_key_enc = @v WHERE id = @id",
            ("@v", _protector.Protect(streamKey)), ("@id", id)), ct), ct);

    public Task<bool> SetBackupStreamKeyAsync(string id, string backupStreamKey, CancellationToken ct) =>
        WriteIfExistsAsync(id, (c, tx) => ExecuteAsync(Command(c, tx, "UPDATE channels SET backup_stream_key_enc = @v WHERE id = @id",
            ("@v", _protector.Protect(backupStreamKey)), ("@id", id)), ct), ct);

    public Task<bool> SetHostKeyAsync(string id, string hostKey, CancellationToken ct) =>
        WriteIfExistsAsync(id, (c, tx) => ExecuteAsync(Command(c, tx, "UPDATE channels SET host_key_enc = @v WHERE id = @id",
            ("@v", _protector.Protect(hostKey)), ("@id", id)), ct), ct);

    public Task<bool> SetSettingsAsync(string id, string title, bool rehearsal, DateTimeOffset? nextShowAt, CancellationToken ct) =>
        WriteIfExistsAsync(id, (c, tx) => ExecuteAsync(Command(c, tx,
            "UPDATE channels SET title = @title, rehearsal = @rehearsal, next_show_at = @next WHERE id = @id",
            ("@title", title), ("@rehearsal", rehearsal), ("@next", nextShowAt is { } at ? CreatedAtValue(at) : null), ("@id", id)), ct), ct);

    public Task<bool> SetLineupAsync(string id, IReadOnlyList<LineupItem> lineup, CancellationToken ct) =>
        WriteIfExistsAsync(id, (c, tx) => WriteLineupAsync(c, tx, id, lineup, ct), ct);

    public Task<bool> SetDestinationsAsync(string id, IReadOnlyList<EgressDestination> destinations, CancellationToken ct) =>
        WriteIfExistsAsync(id, (c, tx) => WriteDestinationsAsync(c, tx, id, destinations, ct), ct);

    /// <summary>One transaction: false (nothing written) when the channel does not exist.</summary>
    private async Task<bool> WriteIfExistsAsync(string id, Func<DbConnection, DbTransaction, Task> write, CancellationToken ct)
    {
        await using var c = await OpenConnectionAsync(ct);
        await using var tx = await c.BeginTransactionAsync(ct);
        await using (var exists = Command(c, tx, "SELECT 1 FROM channels WHERE id = @id", ("@id", id)))
        {
            if (await exists.ExecuteScalarAsync(ct) is null)
            {
                return false;
            }
        }
        await write(c, tx);
        await WrittenAsync(c, tx, id, ct);
        await tx.CommitAsync(ct);
        return true;
    }

    private DbCommand ChannelCommand(DbConnection c, DbTransaction tx, ChannelDefinition channel, string sql) =>
        Command(c, tx, sql,
            ("@id", channel.Id),
            ("@title", channel.Title),
            ("@sk", _protector.Protect(channel.StreamKey)),
            ("@hk", _protector.Protect(channel.HostKey)),
            ("@skc", channel.StreamKeyFromConfig),
            ("@hkc", channel.HostKeyFromConfig),
            ("@at", CreatedAtValue(channel.CreatedAt)),
            ("@rehearsal", channel.Rehearsal),
            ("@next", channel.NextShowAt is { } next ? CreatedAtValue(next) : null),
            ("@bk", channel.BackupStreamKey is { } backup ? _protector.Protect(backup) : null));

    private async Task WriteDestinationsAsync(DbConnection c, DbTransaction tx, string id, IReadOnlyList<EgressDestination> destinations, CancellationToken ct)
    {
        await DeleteRowsAsync(c, tx, "channel_destinations", id, ct);
        for (var i = 0; i < destinations.Count; i++)
        {
            var d = destinations[i];
            await using var cmd = Command(c, tx, """
                INSERT INTO channel_destinations(channel_id, id, position, name, platform, url, stream_key_enc, enabled, profile_json, engine, address_by_admin, track_id)
                VALUES (@c, @id, @pos, @name, @platform, @url, @sk, @enabled, @profile, @engine, @byAdmin, @track)
                """,
                ("@c", id),
                ("@id", d.Id),
                ("@pos", i),
                ("@name", d.Name),
                ("@platform", d.Platform),
                ("@url", d.Url),
                ("@sk", string.IsNullOrEmpty(d.StreamKey) ? null : _protector.Protect(d.StreamKey)),
                ("@enabled", d.Enabled),
                ("@profile", d.Profile is null ? null : JsonSerializer.Serialize(d.Profile, StoreJsonContext.Default.EgressProfile)),
                ("@engine", d.Engine),
                ("@byAdmin", !d.RequirePublicAddress),
                ("@track", d.TrackId));
            await cmd.ExecuteNonQueryAsync(ct);
        }
    }

    private static async Task WriteLineupAsync(DbConnection c, DbTransaction tx, string id, IReadOnlyList<LineupItem> lineup, CancellationToken ct)
    {
        await DeleteRowsAsync(c, tx, "channel_lineup", id, ct);
        for (var i = 0; i < lineup.Count; i++)
        {
            var p = lineup[i];
            await using var cmd = Command(c, tx, """
                INSERT INTO channel_lineup(channel_id, position, sku, title, price_cents, currency, image_url, stock, member_price_cents)
                VALUES (@c, @pos, @sku, @title, @price, @currency, @image, @stock, @member)
                """,
                ("@c", id),
                ("@pos", i),
                ("@sku", p.Sku),
                ("@title", p.Title),
                ("@price", p.PriceCents),
                ("@currency", p.Currency),
                ("@image", p.ImageUrl),
                ("@stock", p.Stock),
                ("@member", p.MemberPriceCents));
            await cmd.ExecuteNonQueryAsync(ct);
        }
    }

    /// <summary>Child rows are replaced whole: delete them, then insert the new list in order.</summary>
    private static Task DeleteRowsAsync(DbConnection c, DbTransaction tx, string table, string channelId, CancellationToken ct) =>
        ExecuteAsync(Command(c, tx, $"DELETE FROM {table} WHERE channel_id = @id", ("@id", channelId)), ct);

    private ChannelRow ReadChannelRow(DbDataReader r) => new(
        r.GetString(0), r.GetString(1), r.GetString(2), r.GetString(3), r.GetBoolean(4), r.GetBoolean(5), ReadCreatedAt(r, 6),
        r.GetBoolean(7), r.IsDBNull(8) ? null : ReadCreatedAt(r, 8), r.IsDBNull(9) ? null : r.GetString(9));

    private async Task<ChannelDefinition> MaterializeAsync(DbConnection c, ChannelRow row, CancellationToken ct)
    {
        var destinations = new List<EgressDestination>();
        await using (var cmd = Command(c, null,
            "SELECT id, name, platform, url, stream_key_enc, enabled, profile_json, engine, address_by_admin, track_id FROM channel_destinations WHERE channel_id = @id ORDER BY position",
            ("@id", row.Id)))
        {
            await using var r = await cmd.ExecuteReaderAsync(ct);
            while (await r.ReadAsync(ct))
            {
                destinations.Add(new EgressDestination(
                    r.GetString(0), r.GetString(1), r.GetString(2), r.GetString(3),
                    r.IsDBNull(4) ? null : _protector.Unprotect(r.GetString(4)),
                    r.GetBoolean(5),
                    r.IsDBNull(6) ? null : JsonSerializer.Deserialize(r.GetString(6), StoreJsonContext.Default.EgressProfile),
                    r.GetString(7),
                    RequirePublicAddress: !r.GetBoolean(8),
                    TrackId: r.IsDBNull(9) ? null : Convert.ToInt32(r.GetValue(9), System.Globalization.CultureInfo.InvariantCulture)));
            }
        }
        var lineup = new List<LineupItem>();
        await using (var cmd = Command(c, null,
            "SELECT sku, title, price_cents, currency, image_url, stock, member_price_cents FROM channel_lineup WHERE channel_id = @id ORDER BY position",
            ("@id", row.Id)))
        {
            await using var r = await cmd.ExecuteReaderAsync(ct);
            while (await r.ReadAsync(ct))
            {
                lineup.Add(new LineupItem(r.GetString(0), r.GetString(1), r.GetInt64(2), r.GetString(3),
                    r.IsDBNull(4) ? null : r.GetString(4), r.IsDBNull(5) ? null : r.GetInt32(5), r.IsDBNull(6) ? null : r.GetInt64(6)));
            }
        }
        return new ChannelDefinition(row.Id, row.Title, _protector.Unprotect(row.StreamKeyEnc), _protector.Unprotect(row.HostKeyEnc),
            row.StreamKeyFromConfig, row.HostKeyFromConfig, row.CreatedAt, destinations, lineup)
        {
            Rehearsal = row.Rehearsal,
            NextShowAt = row.NextShowAt,
            BackupStreamKey = row.BackupStreamKeyEnc is { } backup ? _protector.Unprotect(backup) : null,
        };
    }

    private static async Task ExecuteAsync(DbCommand cmd, CancellationToken ct)
    {
        await using (cmd)
        {
            await cmd.ExecuteNonQueryAsync(ct);
        }
    }

    /// <summary>A command on <paramref name="c"/> with named parameters; a null value is SQL NULL.</summary>
    protected static DbCommand Command(DbConnection c, DbTransaction? tx, string sql, params ReadOnlySpan<(string Name, object? Value)> parameters)
    {
        var cmd = c.CreateCommand();
        cmd.Transaction = tx;
        cmd.CommandText = sql;
        foreach (var (name, value) in parameters)
        {
            var p = cmd.CreateParameter();
            p.ParameterName = name;
            p.Value = value ?? DBNull.Value;
            cmd.Parameters.Add(p);
        }
        return cmd;
    }

    private sealed record ChannelRow(string Id, string Title, string StreamKeyEnc, string HostKeyEnc,
        bool StreamKeyFromConfig, bool HostKeyFromConfig, DateTimeOffset CreatedAt, bool Rehearsal, DateTimeOffset? NextShowAt, string? BackupStreamKeyEnc);
}
