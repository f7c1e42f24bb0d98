using System.Text.Json;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.Data.Sqlite;
using Relay.Chat.Channels;
using Relay.Common.Storage;
using Relay.Ingest.Egress;
using Relay.Server.Channels;

namespace Relay.Server.Store;

/// <summary>
/// Channels in the embedded SQLite file. Stream keys, host keys and destination keys are
/// encrypted with ASP.NET Data Protection (key ring under DataDir/keys) before they touch disk.
/// </summary>
public sealed class SqliteChannelStore(SqliteDatabase db, IDataProtectionProvider protection) : IChannelStore
{
    private readonly IDataProtector _protector = protection.CreateProtector("Relay.Store.Secrets.v1");

    public Task MigrateAsync(CancellationToken ct) => db.MigrateAsync(ChannelsSchema.Definition, ct);

    public async Task<IReadOnlyList<ChannelDefinition>> ListAsync(CancellationToken ct)
    {
        await using var c = await db.OpenAsync(ct);
        var rows = new List<ChannelRow>();
        await using (var cmd = c.CreateCommand())
        {
            cmd.CommandText = "SELECT id, title, stream_key_enc, host_key_enc, stream_key_from_config, host_key_from_config, created_at FROM channels ORDER BY created_at, id";
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
        await using var c = await db.OpenAsync(ct);
        ChannelRow? row = null;
        await using (var cmd = c.CreateCommand())
        {
            cmd.CommandText = "SELECT id, title, stream_key_enc, host_key_enc, stream_key_from_config, host_key_from_config, created_at FROM channels WHERE id = $id";
            cmd.Parameters.AddWithValue("$id", id);
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
        await using var c = await db.OpenAsync(ct);
        await using var tx = (SqliteTransaction)await c.BeginTransactionAsync(ct);
        await using (var cmd = c.CreateCommand())
        {
            cmd.Transaction = tx;
            cmd.CommandText = """
                INSERT INTO channels(id, title, stream_key_enc, host_key_enc, stream_key_from_config, host_key_from_config, created_at)
                VALUES ($id, $title, $sk, $hk, $skc, $hkc, $at) ON CONFLICT(id) DO NOTHING
                """;
            AddChannelParameters(cmd, channel);
            if (await cmd.ExecuteNonQueryAsync(ct) == 0)
            {
                return false;
            }
        }
        await WriteChildrenAsync(c, tx, channel.Id, channel.Destinations, channel.Lineup, ct);
        await tx.CommitAsync(ct);
        return true;
    }

    public async Task UpsertAsync(ChannelDefinition channel, CancellationToken ct)
    {
        await using var c = await db.OpenAsync(ct);
        await using var tx = (SqliteTransaction)await c.BeginTransactionAsync(ct);
        await using (var cmd = c.CreateCommand())
        {
            cmd.Transaction = tx;
            cmd.CommandText = """
                INSERT INTO channels(id, title, stream_key_enc, host_key_enc, stream_key_from_config, host_key_from_config, created_at)
                VALUES ($id, $title, $sk, $hk, $skc, $hkc, $at)
                ON CONFLICT(id) DO UPDATE SET title = excluded.title, stream_key_enc = excluded.stream_key_enc,
                    host_key_enc = excluded.host_key_enc, stream_key_from_config = excluded.stream_key_from_config,
                    host_key_from_config = excluded.host_key_from_config
                """;
            AddChannelParameters(cmd, channel);
            await cmd.ExecuteNonQueryAsync(ct);
        }
        await WriteChildrenAsync(c, tx, channel.Id, channel.Destinations, channel.Lineup, ct);
        await tx.CommitAsync(ct);
    }

    public async Task<bool> DeleteAsync(string id, CancellationToken ct)
    {
        await using var c = await db.OpenAsync(ct);
        await using var cmd = c.CreateCommand();
        cmd.CommandText = "DELETE FROM channels WHERE id = $id";
        cmd.Parameters.AddWithValue("$id", id);
        return await cmd.ExecuteNonQueryAsync(ct) > 0;
    }

    public Task<bool> SetStreamKeyAsync(string id, string streamKey, CancellationToken ct) =>
        UpdateColumnAsync(id, "stream_key_enc", _protector.Protect(streamKey), ct);

    public Task<bool> SetHostKeyAsync(string id, string hostKey, CancellationToken ct) =>
        UpdateColumnAsync(id, "host_key_enc", _protector.Protect(hostKey), ct);

    public async Task<bool> SetLineupAsync(string id, IReadOnlyList<LineupItem> lineup, CancellationToken ct)
    {
        await using var c = await db.OpenAsync(ct);
        await using var tx = (SqliteTransaction)await c.BeginTransactionAsync(ct);
        if (!await ExistsAsync(c, tx, id, ct))
        {
            return false;
        }
        await WriteLineupAsync(c, tx, id, lineup, ct);
        await tx.CommitAsync(ct);
        return true;
    }

    public async Task<bool> SetDestinationsAsync(string id, IReadOnlyList<EgressDestination> destinations, CancellationToken ct)
    {
        await using var c = await db.OpenAsync(ct);
        await using var tx = (SqliteTransaction)await c.BeginTransactionAsync(ct);
        if (!await ExistsAsync(c, tx, id, ct))
        {
            return false;
        }
        await WriteDestinationsAsync(c, tx, id, destinations, ct);
        await tx.CommitAsync(ct);
        return true;
    }

    public async Task<bool> CanReadAndWriteAsync(CancellationToken ct)
    {
        await using var c = await db.OpenAsync(ct);
        await using var cmd = c.CreateCommand();
        // A write that is rolled back proves the file and its WAL are writable without changing anything.
        cmd.CommandText = "BEGIN IMMEDIATE; SELECT count(*) FROM channels; ROLLBACK;";
        await cmd.ExecuteScalarAsync(ct);
        return true;
    }

    private async Task<bool> UpdateColumnAsync(string id, string column, string value, CancellationToken ct)
    {
        await using var c = await db.OpenAsync(ct);
        await using var cmd = c.CreateCommand();
        cmd.CommandText = $"UPDATE channels SET {column} = $v WHERE id = $id";
        cmd.Parameters.AddWithValue("$v", value);
        cmd.Parameters.AddWithValue("$id", id);
        return await cmd.ExecuteNonQueryAsync(ct) > 0;
    }

    private static async Task<bool> ExistsAsync(SqliteConnection c, SqliteTransaction tx, string id, CancellationToken ct)
    {
        await using var cmd = c.CreateCommand();
        cmd.Transaction = tx;
        cmd.CommandText = "SELECT 1 FROM channels WHERE id = $id";
        cmd.Parameters.AddWithValue("$id", id);
        return await cmd.ExecuteScalarAsync(ct) is not null;
    }

    private void AddChannelParameters(SqliteCommand cmd, ChannelDefinition channel)
    {
        cmd.Parameters.AddWithValue("$id", channel.Id);
        cmd.Parameters.AddWithValue("$title", channel.Title);
        cmd.Parameters.AddWithValue("$sk", _protector.Protect(channel.StreamKey));
        cmd.Parameters.AddWithValue("$hk", _protector.Protect(channel.HostKey));
        cmd.Parameters.AddWithValue("$skc", channel.StreamKeyFromConfig ? 1 : 0);
        cmd.Parameters.AddWithValue("$hkc", channel.HostKeyFromConfig ? 1 : 0);
        cmd.Parameters.AddWithValue("$at", channel.CreatedAt.ToString("O"));
    }

    private async Task WriteChildrenAsync(SqliteConnection c, SqliteTransaction tx, string id,
        IReadOnlyList<EgressDestination> destinations, IReadOnlyList<LineupItem> lineup, CancellationToken ct)
    {
        await WriteDestinationsAsync(c, tx, id, destinations, ct);
        await WriteLineupAsync(c, tx, id, lineup, ct);
    }

    private async Task WriteDestinationsAsync(SqliteConnection c, SqliteTransaction tx, string id, IReadOnlyList<EgressDestination> destinations, CancellationToken ct)
    {
        await DeleteRowsAsync(c, tx, "channel_destinations", id, ct);
        for (var i = 0; i < destinations.Count; i++)
        {
            var d = destinations[i];
            await using var cmd = c.CreateCommand();
            cmd.Transaction = tx;
            cmd.CommandText = """
                INSERT INTO channel_destinations(channel_id, id, position, name, platform, url, stream_key_enc, enabled, profile_json, engine, address_by_admin)
                VALUES ($c, $id, $pos, $name, $platform, $url, $sk, $enabled, $profile, $engine, $byAdmin)
                """;
            cmd.Parameters.AddWithValue("$c", id);
            cmd.Parameters.AddWithValue("$id", d.Id);
            cmd.Parameters.AddWithValue("$pos", i);
            cmd.Parameters.AddWithValue("$name", d.Name);
            cmd.Parameters.AddWithValue("$platform", d.Platform);
            cmd.Parameters.AddWithValue("$url", d.Url);
            cmd.Parameters.AddWithValue("$sk", string.IsNullOrEmpty(d.StreamKey) ? DBNull.Value : _protector.Protect(d.StreamKey));
            cmd.Parameters.AddWithValue("$enabled", d.Enabled ? 1 : 0);
            cmd.Parameters.AddWithValue("$profile", d.Profile is null ? DBNull.Value : JsonSerializer.Serialize(d.Profile, StoreJsonContext.Default.EgressProfile));
            cmd.Parameters.AddWithValue("$engine", d.Engine);
            cmd.Parameters.AddWithValue("$byAdmin", d.RequirePublicAddress ? 0 : 1);
            await cmd.ExecuteNonQueryAsync(ct);
        }
    }

    private static async Task WriteLineupAsync(SqliteConnection c, SqliteTransaction tx, string id, IReadOnlyList<LineupItem> lineup, CancellationToken ct)
    {
        await DeleteRowsAsync(c, tx, "channel_lineup", id, ct);
        for (var i = 0; i < lineup.Count; i++)
        {
            var p = lineup[i];
            await using var cmd = c.CreateCommand();
            cmd.Transaction = tx;
            cmd.CommandText = """
                INSERT INTO channel_lineup(channel_id, position, sku, title, price_cents, currency, image_url, stock)
                VALUES ($c, $pos, $sku, $title, $price, $currency, $image, $stock)
                """;
            cmd.Parameters.AddWithValue("$c", id);
            cmd.Parameters.AddWithValue("$pos", i);
            cmd.Parameters.AddWithValue("$sku", p.Sku);
            cmd.Parameters.AddWithValue("$title", p.Title);
            cmd.Parameters.AddWithValue("$price", p.PriceCents);
            cmd.Parameters.AddWithValue("$currency", p.Currency);
            cmd.Parameters.AddWithValue("$image", (object?)p.ImageUrl ?? DBNull.Value);
            cmd.Parameters.AddWithValue("$stock", (object?)p.Stock ?? DBNull.Value);
            await cmd.ExecuteNonQueryAsync(ct);
        }
    }

    /// <summary>Child rows are replaced whole: delete them, then insert the new list in order.</summary>
    private static async Task DeleteRowsAsync(SqliteConnection c, SqliteTransaction tx, string table, string channelId, CancellationToken ct)
    {
        await using var del = c.CreateCommand();
        del.Transaction = tx;
        del.CommandText = $"DELETE FROM {table} WHERE channel_id = $id";
        del.Parameters.AddWithValue("$id", channelId);
        await del.ExecuteNonQueryAsync(ct);
    }

    private static ChannelRow ReadChannelRow(SqliteDataReader r) => new(
        r.GetString(0), r.GetString(1), r.GetString(2), r.GetString(3), r.GetInt64(4) != 0, r.GetInt64(5) != 0,
        DateTimeOffset.Parse(r.GetString(6), System.Globalization.CultureInfo.InvariantCulture));

    private async Task<ChannelDefinition> MaterializeAsync(SqliteConnection c, ChannelRow row, CancellationToken ct)
    {
        var destinations = new List<EgressDestination>();
        await using (var cmd = c.CreateCommand())
        {
            cmd.CommandText = "SELECT id, name, platform, url, stream_key_enc, enabled, profile_json, engine, address_by_admin FROM channel_destinations WHERE channel_id = $id ORDER BY position";
            cmd.Parameters.AddWithValue("$id", row.Id);
            await using var r = await cmd.ExecuteReaderAsync(ct);
            while (await r.ReadAsync(ct))
            {
                destinations.Add(new EgressDestination(
                    r.GetString(0), r.GetString(1), r.GetString(2), r.GetString(3),
                    r.IsDBNull(4) ? null : _protector.Unprotect(r.GetString(4)),
                    r.GetInt64(5) != 0,
                    r.IsDBNull(6) ? null : JsonSerializer.Deserialize(r.GetString(6), StoreJsonContext.Default.EgressProfile),
                    r.GetString(7),
                    RequirePublicAddress: r.GetInt64(8) == 0));
            }
        }
        var lineup = new List<LineupItem>();
        await using (var cmd = c.CreateCommand())
        {
            cmd.CommandText = "SELECT sku, title, price_cents, currency, image_url, stock FROM channel_lineup WHERE channel_id = $id ORDER BY position";
            cmd.Parameters.AddWithValue("$id", row.Id);
            await using var r = await cmd.ExecuteReaderAsync(ct);
            while (await r.ReadAsync(ct))
            {
                lineup.Add(new LineupItem(r.GetString(0), r.GetString(1), r.GetInt64(2), r.GetString(3),
                    r.IsDBNull(4) ? null : r.GetString(4), r.IsDBNull(5) ? null : r.GetInt32(5)));
            }
        }
        return new ChannelDefinition(row.Id, row.Title, _protector.Unprotect(row.StreamKeyEnc), _protector.Unprotect(row.HostKeyEnc),
            row.StreamKeyFromConfig, row.HostKeyFromConfig, row.CreatedAt, destinations, lineup);
    }

    private sealed record ChannelRow(string Id, string Title, string StreamKeyEnc, string HostKeyEnc,
        bool StreamKeyFromConfig, bool HostKeyFromConfig, DateTimeOffset CreatedAt);
}
