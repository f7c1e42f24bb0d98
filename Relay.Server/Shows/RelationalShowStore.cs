using System.Data.Common;
using System.Globalization;
using Relay.Chat.Orders;

namespace Relay.Server.Shows;

/// <summary>
/// The shows' statements once for SQLite and PostgreSQL (plain SQL with <c>@name</c> parameters and Unix-millisecond
/// times, <see cref="ShowsSchema"/>); an engine brings its connection and its migration.
/// </summary>
public abstract class RelationalShowStore : IShowStore
{
    private const string ShowColumns = "id, channel_id, started_at, ended_at, last_sample_at";

    public abstract Task MigrateAsync(CancellationToken ct);

    protected abstract Task<DbConnection> OpenConnectionAsync(CancellationToken ct);

    public async Task<ShowRecord?> LatestAsync(string channelId, CancellationToken ct)
    {
        var rows = await ReadShowsAsync($"SELECT {ShowColumns} FROM shows WHERE channel_id = @c ORDER BY started_at DESC, id DESC LIMIT 1", ct, ("@c", channelId));
        return rows.Count == 0 ? null : rows[0];
    }

    public async Task StartAsync(ShowRecord show, CancellationToken ct)
    {
        await using var c = await OpenConnectionAsync(ct);
        await using var cmd = Command(c, null, $"INSERT INTO shows({ShowColumns}) VALUES (@id, @c, @s, @e, NULL)",
            ("@id", show.Id), ("@c", show.ChannelId), ("@s", Ms(show.StartedAt)), ("@e", show.EndedAt is { } e ? Ms(e) : null));
        await cmd.ExecuteNonQueryAsync(ct);
    }

    public async Task SetEndAsync(string showId, DateTimeOffset? endedAt, CancellationToken ct)
    {
        await using var c = await OpenConnectionAsync(ct);
        await using var cmd = Command(c, null, "UPDATE shows SET ended_at = @e WHERE id = @id", ("@e", endedAt is { } e ? Ms(e) : null), ("@id", showId));
        await cmd.ExecuteNonQueryAsync(ct);
    }

    public async Task AddSampleAsync(string showId, ShowSample sample, IReadOnlyList<ShowMarker> markers, IReadOnlyList<ShowDestinationTime> destinations, CancellationToken ct)
    {
        await using var c = await OpenConnectionAsync(ct);
        await using var tx = await c.BeginTransactionAsync(ct);
        await using (var cmd = Command(c, tx, """
            INSERT INTO show_samples(show_id, at, viewers, peak_viewers, messages, likes) VALUES (@id, @at, @v, @p, @m, @l)
            ON CONFLICT(show_id, at) DO UPDATE SET viewers = excluded.viewers, peak_viewers = excluded.peak_viewers,
                messages = show_samples.messages + excluded.messages, likes = show_samples.likes + excluded.likes
            """, ("@id", showId), ("@at", Ms(sample.At)), ("@v", sample.Viewers), ("@p", sample.PeakViewers), ("@m", sample.Messages), ("@l", sample.Likes)))
        {
            await cmd.ExecuteNonQueryAsync(ct);
        }
        for (var i = 0; i < markers.Count; i++)
        {
            var m = markers[i];
            await using var cmd = Command(c, tx, """
                INSERT INTO show_markers(show_id, at, position, kind, sku, title, price_cents, quantity) VALUES (@id, @at, @pos, @k, @sku, @t, @p, @q)
                ON CONFLICT(show_id, at, position) DO NOTHING
                """, ("@id", showId), ("@at", Ms(m.At)), ("@pos", i), ("@k", m.Kind), ("@sku", m.Sku), ("@t", m.Title), ("@p", m.PriceCents), ("@q", m.Quantity));
            await cmd.ExecuteNonQueryAsync(ct);
        }
        foreach (var d in destinations)
        {
            await using var cmd = Command(c, tx, """
                INSERT INTO show_destinations(show_id, destination_id, live_ms, reconnects) VALUES (@id, @d, @ms, @r)
                ON CONFLICT(show_id, destination_id) DO UPDATE SET live_ms = excluded.live_ms, reconnects = excluded.reconnects
                """, ("@id", showId), ("@d", d.DestinationId), ("@ms", d.LiveMilliseconds), ("@r", d.Reconnects));
            await cmd.ExecuteNonQueryAsync(ct);
        }
        await using (var cmd = Command(c, tx, "UPDATE shows SET last_sample_at = @at WHERE id = @id", ("@at", Ms(sample.At)), ("@id", showId)))
        {
            await cmd.ExecuteNonQueryAsync(ct);
        }
        await tx.CommitAsync(ct);
    }

    public async Task AddAudienceAsync(IReadOnlyList<ShowAudienceEntry> entries, CancellationToken ct)
    {
        if (entries.Count == 0) return;
        await using var c = await OpenConnectionAsync(ct);
        await using var tx = await c.BeginTransactionAsync(ct);
        foreach (var e in entries)
        {
            await using var cmd = Command(c, tx, "INSERT INTO show_audience(channel_id, viewer_id, at) VALUES (@c, @v, @at) ON CONFLICT(channel_id, at, viewer_id) DO NOTHING",
                ("@c", e.ChannelId), ("@v", e.ViewerId), ("@at", Ms(e.At)));
            await cmd.ExecuteNonQueryAsync(ct);
        }
        await tx.CommitAsync(ct);
    }

    public Task<IReadOnlyList<ShowRecord>> ListAsync(string channelId, ListCursor? after, int max, CancellationToken ct) => after is null
        ? ReadShowsAsync($"SELECT {ShowColumns} FROM shows WHERE channel_id = @c ORDER BY started_at DESC, id DESC LIMIT @n", ct, ("@c", channelId), ("@n", max))
        : ReadShowsAsync($"""
            SELECT {ShowColumns} FROM shows WHERE channel_id = @c AND (started_at < @at OR (started_at = @at AND id < @id))
            ORDER BY started_at DESC, id DESC LIMIT @n
            """, ct, ("@c", channelId), ("@at", after.At), ("@id", after.Id), ("@n", max));

    public async Task DeleteChannelAsync(string channelId, CancellationToken ct)
    {
        await using var c = await OpenConnectionAsync(ct);
        await using var tx = await c.BeginTransactionAsync(ct);
        // The points, markers and destination times go with their show (ON DELETE CASCADE).
        foreach (var sql in new[] { "DELETE FROM shows WHERE channel_id = @c", "DELETE FROM show_audience WHERE channel_id = @c" })
        {
            await using var cmd = Command(c, tx, sql, ("@c", channelId));
            await cmd.ExecuteNonQueryAsync(ct);
        }
        await tx.CommitAsync(ct);
    }

    public async Task<ShowRecord?> FindAsync(string channelId, string showId, CancellationToken ct)
    {
        var rows = await ReadShowsAsync($"SELECT {ShowColumns} FROM shows WHERE channel_id = @c AND id = @id", ct, ("@c", channelId), ("@id", showId));
        return rows.Count == 0 ? null : rows[0];
    }

    public async Task<IReadOnlyList<ShowSample>> SamplesAsync(string showId, CancellationToken ct)
    {
        await using var c = await OpenConnectionAsync(ct);
        await using var cmd = Command(c, null, "SELECT at, viewers, peak_viewers, messages, likes FROM show_samples WHERE show_id = @id ORDER BY at", ("@id", showId));
        await using var r = await cmd.ExecuteReaderAsync(ct);
        var list = new List<ShowSample>();
        while (await r.ReadAsync(ct))
        {
            list.Add(new ShowSample(Time(r, 0), Int(r, 1), Int(r, 2), Int(r, 3), Int(r, 4)));
        }
        return list;
    }

    public async Task<IReadOnlyList<ShowMarker>> MarkersAsync(string showId, CancellationToken ct)
    {
        await using var c = await OpenConnectionAsync(ct);
        await using var cmd = Command(c, null, "SELECT at, kind, sku, title, price_cents, quantity FROM show_markers WHERE show_id = @id ORDER BY at, position", ("@id", showId));
        await using var r = await cmd.ExecuteReaderAsync(ct);
        var list = new List<ShowMarker>();
        while (await r.ReadAsync(ct))
        {
            list.Add(new ShowMarker(Time(r, 0), r.GetString(1), r.IsDBNull(2) ? null : r.GetString(2), r.IsDBNull(3) ? null : r.GetString(3),
                r.IsDBNull(4) ? null : Long(r, 4), r.IsDBNull(5) ? null : Int(r, 5)));
        }
        return list;
    }

    public async Task<IReadOnlyList<ShowDestinationTime>> DestinationsAsync(string showId, CancellationToken ct)
    {
        await using var c = await OpenConnectionAsync(ct);
        await using var cmd = Command(c, null, "SELECT destination_id, live_ms, reconnects FROM show_destinations WHERE show_id = @id ORDER BY destination_id", ("@id", showId));
        await using var r = await cmd.ExecuteReaderAsync(ct);
        var list = new List<ShowDestinationTime>();
        while (await r.ReadAsync(ct))
        {
            list.Add(new ShowDestinationTime(r.GetString(0), Long(r, 1), Int(r, 2)));
        }
        return list;
    }

    public async Task<int> CountAudienceAsync(string channelId, DateTimeOffset from, DateTimeOffset to, CancellationToken ct)
    {
        await using var c = await OpenConnectionAsync(ct);
        await using var cmd = Command(c, null, "SELECT COUNT(DISTINCT viewer_id) FROM show_audience WHERE channel_id = @c AND at >= @f AND at <= @t",
            ("@c", channelId), ("@f", Ms(from)), ("@t", Ms(to)));
        return Convert.ToInt32(await cmd.ExecuteScalarAsync(ct), CultureInfo.InvariantCulture);
    }

    private async Task<IReadOnlyList<ShowRecord>> ReadShowsAsync(string sql, CancellationToken ct, params (string Name, object? Value)[] parameters)
    {
        await using var c = await OpenConnectionAsync(ct);
        await using var cmd = Command(c, null, sql, parameters);
        await using var r = await cmd.ExecuteReaderAsync(ct);
        var list = new List<ShowRecord>();
        while (await r.ReadAsync(ct))
        {
            list.Add(new ShowRecord(r.GetString(0), r.GetString(1), Time(r, 2), r.IsDBNull(3) ? null : Time(r, 3), r.IsDBNull(4) ? null : Time(r, 4)));
        }
        return list;
    }

    private static long Ms(DateTimeOffset at) => at.ToUnixTimeMilliseconds();

    private static DateTimeOffset Time(DbDataReader r, int i) => DateTimeOffset.FromUnixTimeMilliseconds(Long(r, i));

    // PostgreSQL's INTEGER columns read as int, SQLite's as long: convert rather than ask for one type.
    private static long Long(DbDataReader r, int i) => Convert.ToInt64(r.GetValue(i), CultureInfo.InvariantCulture);

    private static int Int(DbDataReader r, int i) => Convert.ToInt32(r.GetValue(i), CultureInfo.InvariantCulture);

    private static DbCommand Command(DbConnection c, DbTransaction? tx, string sql, params ReadOnlySpan<(string Name, object? Value)> parameters)
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
}
