using Microsoft.Data.Sqlite;
using Relay.Chat.Channels;
using Relay.Chat.Orders;
using Relay.Chat.Ledger;

namespace Relay.Chat.Storage;

/// <summary>Stock ledger, order outbox and order list over the embedded SQLite file.</summary>
public sealed class SqliteCommerceStore : IStockLedger, IOrderOutbox, IOrderStore, IChannelCommerceArchive, IAsyncDisposable
{
    /// <summary>
    /// Every table that keys rows by channel and must not reach a channel created again under the same id. A new
    /// per-channel table belongs here too (rows to keep move to the archive id; counts that only matter live go).
    /// </summary>
    private static readonly string[] ArchivedTables = ["orders_orders", "orders_purchase_keys", "chat_flash_sales"];

    private static readonly string[] DroppedTables = ["chat_lineup_stock"];

    // Orders remaining counts across concurrent writers so the room never shows an older count after a newer one.
    private static long s_sequence;

    private readonly ChatDatabase _database;
    private readonly GroupCommit<ReservationRequest, ReservationOutcome> _reservations;
    private readonly GroupCommit<Confirmation, bool> _confirmations;

    public SqliteCommerceStore(ChatDatabase database)
    {
        _database = database;
        _reservations = new(WriteReservationsAsync);
        _confirmations = new(WriteConfirmationsAsync);
    }

    /// <summary>Group-committed: see <see cref="GroupCommit{TRequest, TResult}"/>. The answer comes after the commit.</summary>
    public Task<ReservationOutcome> ReserveAsync(ReservationRequest r, CancellationToken cancellationToken) =>
        _reservations.WriteAsync(r, cancellationToken);

    /// <summary>Applies <paramref name="requests"/> in order in one IMMEDIATE transaction with statements prepared once.
    /// Each one sees the effect of those before it (stock, idempotency keys), exactly as if they ran one by one.</summary>
    private Task<IReadOnlyList<ReservationOutcome>> WriteReservationsAsync(IReadOnlyList<ReservationRequest> requests) =>
        _database.WriteAsync<IReadOnlyList<ReservationOutcome>>(async (c, tx) =>
        {
            await using var sql = new ReservationStatements(c, tx);
            var outcomes = new ReservationOutcome[requests.Count];
            for (var i = 0; i < requests.Count; i++) outcomes[i] = await ReserveOneAsync(sql, requests[i]);
            return outcomes;
        }, CancellationToken.None);

    private static async Task<ReservationOutcome> ReserveOneAsync(ReservationStatements sql, ReservationRequest r)
    {
        var ct = CancellationToken.None;
        if (await sql.FindKey.Run(ct, r.ChannelId, r.BuyerId, r.IdempotencyKey) is string previous)
            return new ReservationOutcome(ReservationKind.Duplicate, previous, null, null, Interlocked.Increment(ref s_sequence));

        // Every sku of an applied line-up has a row. A sku the ledger never saw has no limit set: it gets a row so its
        // units are counted from the first one.
        if (!r.LineupLimited) await sql.AddUnlimited.Execute(ct, r.ChannelId, r.Sku);
        long epoch;
        await using (var ledger = await sql.LineupState.Reader(ct, r.ChannelId, r.Sku))
        {
            if (!await ledger.ReadAsync(ct))
                return new ReservationOutcome(ReservationKind.SoldOut, null, null, null, Interlocked.Increment(ref s_sequence));
            epoch = ledger.GetInt64(2);
        }

        // The caps count this buyer's orders in the same transaction that adds the new one, so concurrent purchases of
        // one buyer (several connections, a reconnect) are applied one after the other and cannot pass the cap together.
        await using (var units = await sql.BuyerUnits.Reader(ct, r.ChannelId, r.BuyerId, r.Sku, epoch, r.FlashSaleId))
        {
            await units.ReadAsync(ct);
            var (skuUnits, saleUnits) = (units.GetInt64(0), units.GetInt64(1));
            var limit = skuUnits + r.Quantity > r.MaxBuyerUnitsPerSku ? BuyerLimit.PerSku
                : r.FlashSaleId is not null && saleUnits + r.Quantity > r.MaxBuyerUnitsPerSale ? BuyerLimit.PerSale
                : BuyerLimit.None;
            if (limit != BuyerLimit.None)
                return new ReservationOutcome(ReservationKind.LimitExceeded, null, null, null, Interlocked.Increment(ref s_sequence), limit);
        }

        var now = r.Now.ToUnixTimeMilliseconds();
        int? flashRemaining = null, lineupRemaining;
        if (r.FlashSaleId is { } saleId)
        {
            if (await sql.TakeFlash.Run(ct, r.Quantity, saleId, now) is not long left)
            {
                // Why not: sold out (remaining < quantity, reported so the room can refuse the next ones in memory) or over.
                await using var reader = await sql.FlashState.Reader(ct, saleId);
                var over = !await reader.ReadAsync(ct) || reader.GetInt64(0) != 0 || reader.GetInt64(1) <= now;
                int? remaining = over ? null : reader.GetInt32(2);
                return new ReservationOutcome(over ? ReservationKind.SaleOver : ReservationKind.SoldOut, null, remaining, null, Interlocked.Increment(ref s_sequence));
            }
            flashRemaining = (int)left;
        }
        if (await sql.TakeLineup.Run(ct, r.Quantity, r.ChannelId, r.Sku) is not long lineupLeft)
        {
            if (r.FlashSaleId is { } undo && await sql.GiveBackFlash.Run(ct, r.Quantity, undo) is long back) flashRemaining = (int)back;
            await using var state = await sql.LineupState.Reader(ct, r.ChannelId, r.Sku);
            lineupRemaining = await state.ReadAsync(ct) && state.GetInt64(0) >= 0 ? (int)Math.Max(0, state.GetInt64(0) - state.GetInt64(1)) : null;
            return new ReservationOutcome(ReservationKind.SoldOut, null, flashRemaining, lineupRemaining, Interlocked.Increment(ref s_sequence));
        }
        lineupRemaining = lineupLeft >= 0 ? (int)lineupLeft : null;

        var orderId = "ord_" + Guid.NewGuid().ToString("N");
        await sql.InsertOrder.Execute(ct, orderId, r.ChannelId, r.Sku, r.Quantity, r.UnitPriceCents, r.Currency, r.BuyerId, r.BuyerName,
            r.Referrer, r.FlashSaleId, epoch, now);
        await sql.InsertKey.Execute(ct, r.ChannelId, r.BuyerId, r.IdempotencyKey, orderId);
        return new ReservationOutcome(ReservationKind.Reserved, orderId, flashRemaining, lineupRemaining, Interlocked.Increment(ref s_sequence));
    }

    public async ValueTask DisposeAsync()
    {
        await _reservations.DisposeAsync();
        await _confirmations.DisposeAsync();
    }

    public async Task<string?> FindReservationAsync(string channelId, string buyerId, string idempotencyKey, CancellationToken cancellationToken)
    {
        await using var c = await _database.OpenAsync(cancellationToken);
        await using var find = c.Command(null,
            "SELECT order_id FROM orders_purchase_keys WHERE channel_id = $c AND buyer_id = $b AND idempotency_key = $k;",
            ("$c", channelId), ("$b", buyerId), ("$k", idempotencyKey));
        return await find.ExecuteScalarAsync(cancellationToken) as string;
    }

    public Task<LineupStock> ApplyLineupAsync(string channelId, IReadOnlyList<LineupItem> lineup, bool resetStock, CancellationToken cancellationToken) =>
        _database.WriteAsync(async (c, tx) =>
        {
            // Only the total changes: held (units of orders not failed) stays, unless the caller asked to start over.
            var sql = resetStock
                ? """
                  INSERT INTO chat_lineup_stock (channel_id, sku, stock, held, epoch) VALUES ($c, $sku, $n, 0, 0)
                  ON CONFLICT (channel_id, sku) DO UPDATE SET stock = excluded.stock, held = 0, epoch = epoch + 1
                  RETURNING stock - held;
                  """
                : """
                  INSERT INTO chat_lineup_stock (channel_id, sku, stock, held, epoch) VALUES ($c, $sku, $n, 0, 0)
                  ON CONFLICT (channel_id, sku) DO UPDATE SET stock = excluded.stock
                  RETURNING stock - held;
                  """;
            var remaining = new Dictionary<string, int>(StringComparer.Ordinal);
            foreach (var item in lineup)
            {
                await using var upsert = c.Command(tx, sql, ("$c", channelId), ("$sku", item.Sku), ("$n", item.Stock is { } n ? Math.Max(0, n) : null));
                if (await upsert.ExecuteScalarAsync(cancellationToken) is long left) remaining[item.Sku] = (int)Math.Max(0, left);
            }
            return new LineupStock(remaining, Interlocked.Increment(ref s_sequence));
        }, cancellationToken);

    public Task<FlashSaleRecord> StartFlashSaleAsync(string channelId, string sku, long priceCents, string currency, int quantity, DateTimeOffset endsAt, CancellationToken cancellationToken) =>
        _database.WriteAsync(async (c, tx) =>
        {
            await using (var end = c.Command(tx, "UPDATE chat_flash_sales SET ended = 1 WHERE channel_id = $c AND ended = 0;", ("$c", channelId)))
                await end.ExecuteNonQueryAsync(cancellationToken);
            var sale = new FlashSaleRecord("fs_" + Guid.NewGuid().ToString("N"), channelId, sku, priceCents, currency, quantity, quantity, endsAt);
            await using (var insert = c.Command(tx,
                "INSERT INTO chat_flash_sales (sale_id, channel_id, sku, price_cents, currency, quantity, remaining, ends_at) VALUES ($id, $c, $sku, $p, $cur, $q, $q, $end);",
                ("$id", sale.SaleId), ("$c", channelId), ("$sku", sku), ("$p", priceCents), ("$cur", currency), ("$q", quantity), ("$end", endsAt.ToUnixTimeMilliseconds())))
                await insert.ExecuteNonQueryAsync(cancellationToken);
            return sale;
        }, cancellationToken);

    public Task<bool> EndFlashSaleAsync(string channelId, string? saleId, CancellationToken cancellationToken) =>
        _database.WriteAsync(async (c, tx) =>
        {
            await using var end = c.Command(tx,
                "UPDATE chat_flash_sales SET ended = 1 WHERE channel_id = $c AND ended = 0 AND ($s IS NULL OR sale_id = $s);",
                ("$c", channelId), ("$s", saleId));
            return await end.ExecuteNonQueryAsync(cancellationToken) > 0;
        }, cancellationToken);

    public async Task<FlashSaleRecord?> FindActiveFlashSaleAsync(string channelId, DateTimeOffset now, CancellationToken cancellationToken)
    {
        await using var c = await _database.OpenAsync(cancellationToken);
        await using var find = c.Command(null,
            "SELECT sale_id, sku, price_cents, currency, quantity, remaining, ends_at FROM chat_flash_sales WHERE channel_id = $c AND ended = 0 AND ends_at > $now ORDER BY ends_at DESC LIMIT 1;",
            ("$c", channelId), ("$now", now.ToUnixTimeMilliseconds()));
        await using var reader = await find.ExecuteReaderAsync(cancellationToken);
        if (!await reader.ReadAsync(cancellationToken)) return null;
        return new FlashSaleRecord(reader.GetString(0), channelId, reader.GetString(1), reader.GetInt64(2), reader.GetString(3),
            reader.GetInt32(4), reader.GetInt32(5), DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(6)));
    }

    private const string OrderColumns =
        "order_id, channel_id, sku, quantity, unit_price_cents, currency, buyer_id, buyer_name, referrer, flash_sale_id, status, attempts, last_error, created_at";

    private static OrderRecord ReadOrder(SqliteDataReader r) => new(
        r.GetString(0), r.GetString(1), r.GetString(2), r.GetInt32(3), r.GetInt64(4), r.GetString(5), r.GetString(6), r.GetString(7),
        r.IsDBNull(8) ? null : r.GetString(8), !r.IsDBNull(9), r.GetString(10), r.GetInt32(11), r.IsDBNull(12) ? null : r.GetString(12),
        DateTimeOffset.FromUnixTimeMilliseconds(r.GetInt64(13)));

    public Task<IReadOnlyList<OrderRecord>> ClaimDueAsync(DateTimeOffset now, int max, TimeSpan lease, CancellationToken cancellationToken) =>
        _database.WriteAsync<IReadOnlyList<OrderRecord>>(async (c, tx) =>
        {
            var at = now.ToUnixTimeMilliseconds();
            await using var claim = c.Command(tx,
                $"""
                UPDATE orders_orders SET lease_until = $lease
                WHERE order_id IN (SELECT order_id FROM orders_orders
                                   WHERE status = 'pending' AND next_attempt_at <= $now AND lease_until <= $now
                                   ORDER BY next_attempt_at LIMIT $max)
                RETURNING {OrderColumns};
                """,
                ("$lease", at + (long)lease.TotalMilliseconds), ("$now", at), ("$max", max));
            var list = new List<OrderRecord>();
            await using var reader = await claim.ExecuteReaderAsync(cancellationToken);
            while (await reader.ReadAsync(cancellationToken)) list.Add(ReadOrder(reader));
            return list;
        }, cancellationToken);

    public Task ReleaseAllLeasesAsync(CancellationToken cancellationToken) =>
        _database.WriteAsync(async (c, tx) =>
        {
            await using var release = c.Command(tx, "UPDATE orders_orders SET lease_until = 0 WHERE status = 'pending' AND lease_until <> 0;");
            return await release.ExecuteNonQueryAsync(cancellationToken);
        }, cancellationToken);

    /// <summary>Group-committed like reservations: a burst of answers from the order API is one transaction.</summary>
    public Task<bool> MarkConfirmedAsync(string orderId, int attempts, DateTimeOffset now, CancellationToken cancellationToken) =>
        _confirmations.WriteAsync(new Confirmation(orderId, attempts, now.ToUnixTimeMilliseconds()), cancellationToken);

    private sealed record Confirmation(string OrderId, int Attempts, long Now);

    private Task<IReadOnlyList<bool>> WriteConfirmationsAsync(IReadOnlyList<Confirmation> confirmations) =>
        _database.WriteAsync<IReadOnlyList<bool>>(async (c, tx) =>
        {
            await using var update = new SqliteStatement(c, tx,
                $"UPDATE orders_orders SET status = '{OrderStatus.Confirmed}', attempts = $1, last_error = NULL, lease_until = 0, updated_at = $2 WHERE order_id = $3 AND status = 'pending';");
            var done = new bool[confirmations.Count];
            for (var i = 0; i < confirmations.Count; i++)
                done[i] = await update.Execute(CancellationToken.None, confirmations[i].Attempts, confirmations[i].Now, confirmations[i].OrderId) == 1;
            return done;
        }, CancellationToken.None);

    public Task<bool> MarkDeadLetterAsync(string orderId, int attempts, string error, DateTimeOffset now, CancellationToken cancellationToken) =>
        TransitionAsync(orderId, OrderStatus.DeadLetter, attempts, error, now, cancellationToken);

    private Task<bool> TransitionAsync(string orderId, string status, int attempts, string? error, DateTimeOffset now, CancellationToken cancellationToken) =>
        _database.WriteAsync(async (c, tx) =>
        {
            await using var update = c.Command(tx,
                "UPDATE orders_orders SET status = $st, attempts = $a, last_error = $e, lease_until = 0, updated_at = $now WHERE order_id = $id AND status = 'pending';",
                ("$st", status), ("$a", attempts), ("$e", error), ("$now", now.ToUnixTimeMilliseconds()), ("$id", orderId));
            return await update.ExecuteNonQueryAsync(cancellationToken) == 1;
        }, cancellationToken);

    public Task<StockRelease?> MarkFailedAsync(string orderId, int attempts, string error, DateTimeOffset now, CancellationToken cancellationToken) =>
        _database.WriteAsync<StockRelease?>(async (c, tx) =>
        {
            string channelId, sku; int quantity; string? saleId; long epoch;
            await using (var mark = c.Command(tx,
                """
                UPDATE orders_orders SET status = 'failed', attempts = $a, last_error = $e, lease_until = 0, updated_at = $now
                WHERE order_id = $id AND status = 'pending'
                RETURNING channel_id, sku, quantity, flash_sale_id, ledger_epoch;
                """,
                ("$a", attempts), ("$e", error), ("$now", now.ToUnixTimeMilliseconds()), ("$id", orderId)))
            await using (var reader = await mark.ExecuteReaderAsync(cancellationToken))
            {
                if (!await reader.ReadAsync(cancellationToken)) return null;
                (channelId, sku, quantity, saleId, epoch) = (reader.GetString(0), reader.GetString(1), reader.GetInt32(2),
                    reader.IsDBNull(3) ? null : reader.GetString(3), reader.GetInt64(4));
            }
            int? flashRemaining = null, lineupRemaining = null;
            if (saleId is not null)
            {
                // Only a running sale takes units back; an ended sale's leftovers are irrelevant.
                await using var back = c.Command(tx,
                    "UPDATE chat_flash_sales SET remaining = MIN(quantity, remaining + $q) WHERE sale_id = $s AND ended = 0 RETURNING remaining;",
                    ("$q", quantity), ("$s", saleId));
                if (await back.ExecuteScalarAsync(cancellationToken) is long left) flashRemaining = (int)left;
            }
            {
                // The order stops being held, so remaining = max(0, stock - held) grows by at most what it took and never
                // past the current total. An order counted before a stock reset gives nothing to the new count.
                await using var back = c.Command(tx,
                    "UPDATE chat_lineup_stock SET held = MAX(0, held - $q) WHERE channel_id = $c AND sku = $sku AND epoch = $ep RETURNING stock - held;",
                    ("$q", quantity), ("$c", channelId), ("$sku", sku), ("$ep", epoch));
                if (await back.ExecuteScalarAsync(cancellationToken) is long left) lineupRemaining = (int)Math.Max(0, left);
            }
            return new StockRelease(channelId, sku, flashRemaining, lineupRemaining, Interlocked.Increment(ref s_sequence));
        }, cancellationToken);

    public Task ScheduleRetryAsync(string orderId, int attempts, DateTimeOffset nextAttemptAt, string error, DateTimeOffset now, CancellationToken cancellationToken) =>
        _database.WriteAsync(async (c, tx) =>
        {
            await using var update = c.Command(tx,
                "UPDATE orders_orders SET attempts = $a, next_attempt_at = $next, last_error = $e, lease_until = 0, updated_at = $now WHERE order_id = $id AND status = 'pending';",
                ("$a", attempts), ("$next", nextAttemptAt.ToUnixTimeMilliseconds()), ("$e", error), ("$now", now.ToUnixTimeMilliseconds()), ("$id", orderId));
            return await update.ExecuteNonQueryAsync(cancellationToken);
        }, cancellationToken);

    public async Task<int> CountPendingAsync(CancellationToken cancellationToken)
    {
        await using var c = await _database.OpenAsync(cancellationToken);
        await using var count = c.Command(null, "SELECT COUNT(*) FROM orders_orders WHERE status = 'pending';");
        return Convert.ToInt32(await count.ExecuteScalarAsync(cancellationToken));
    }

    public async Task<DateTimeOffset?> NextDueAtAsync(CancellationToken cancellationToken)
    {
        await using var c = await _database.OpenAsync(cancellationToken);
        await using var next = c.Command(null, "SELECT MIN(MAX(next_attempt_at, lease_until)) FROM orders_orders WHERE status = 'pending';");
        return await next.ExecuteScalarAsync(cancellationToken) is long at ? DateTimeOffset.FromUnixTimeMilliseconds(at) : null;
    }

    public Task<string> ArchiveChannelAsync(string channelId, DateTimeOffset deletedAt, CancellationToken cancellationToken) =>
        _database.WriteAsync(async (c, tx) =>
        {
            var archiveId = ArchivedChannelId.For(channelId, deletedAt);
            await using (var end = c.Command(tx, "UPDATE chat_flash_sales SET ended = 1 WHERE channel_id = $c AND ended = 0;", ("$c", channelId)))
                await end.ExecuteNonQueryAsync(cancellationToken);
            foreach (var table in ArchivedTables)
            {
                await using var move = c.Command(tx, $"UPDATE {table} SET channel_id = $a WHERE channel_id = $c;", ("$a", archiveId), ("$c", channelId));
                await move.ExecuteNonQueryAsync(cancellationToken);
            }
            foreach (var table in DroppedTables)
            {
                await using var drop = c.Command(tx, $"DELETE FROM {table} WHERE channel_id = $c;", ("$c", channelId));
                await drop.ExecuteNonQueryAsync(cancellationToken);
            }
            return archiveId;
        }, cancellationToken);

    public async Task<IReadOnlyList<OrderRecord>> ListByChannelAsync(string channelId, CancellationToken cancellationToken)
    {
        await using var c = await _database.OpenAsync(cancellationToken);
        await using var list = c.Command(null, $"SELECT {OrderColumns} FROM orders_orders WHERE channel_id = $c ORDER BY created_at, order_id;", ("$c", channelId));
        var orders = new List<OrderRecord>();
        await using var reader = await list.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken)) orders.Add(ReadOrder(reader));
        return orders;
    }

    public async Task<IReadOnlyList<OrderRecord>> ListByChannelAsync(string channelId, ListCursor? after, int max, CancellationToken cancellationToken)
    {
        await using var c = await _database.OpenAsync(cancellationToken);
        await using var list = c.Command(null,
            $"""
            SELECT {OrderColumns} FROM orders_orders
            WHERE channel_id = $c AND ($at IS NULL OR created_at > $at OR (created_at = $at AND order_id > $id))
            ORDER BY created_at, order_id LIMIT $max;
            """,
            ("$c", channelId), ("$at", after?.At), ("$id", after?.Id), ("$max", max));
        var orders = new List<OrderRecord>();
        await using var reader = await list.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken)) orders.Add(ReadOrder(reader));
        return orders;
    }
}
