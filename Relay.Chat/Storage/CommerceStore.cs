using Relay.Chat.Channels;
using Relay.Chat.Ledger;
using Relay.Chat.Orders;

namespace Relay.Chat.Storage;

/// <summary>
/// Stock ledger, order outbox and order list, written once for both engines: the embedded SQLite file
/// (<see cref="SqliteCommerceStore"/>) and the cluster's PostgreSQL (<see cref="Postgres.PostgresCommerceStore"/>).
/// The statements are one text for both except where <see cref="CommerceDialect"/> says otherwise; reservations and
/// confirmations are group-committed (<see cref="GroupCommit{TRequest, TResult}"/>), reservations applied by
/// <see cref="ReservationBatch"/>.
/// </summary>
public abstract class CommerceStore : IStockLedger, ICouponLedger, IOrderOutbox, IOrderStore, IChannelCommerceArchive, ILikeCounter, IDrawStore, IAsyncDisposable
{
    /// <summary>
    /// Every table that keys rows by channel and must not reach a channel created again under the same id. A new
    /// per-channel table belongs here too (rows to keep move to the archive id; counts that only matter live go).
    /// </summary>
    private static readonly string[] ArchivedTables = ["orders_orders", "orders_purchase_keys", "chat_flash_sales", "chat_coupons", "chat_draws", "chat_referral_visits"];

    private static readonly string[] DroppedTables = ["chat_lineup_stock", "chat_likes"];

    private readonly ICommerceDatabase _database;
    private readonly CommerceDialect _dialect;
    private readonly string _node;
    private readonly GroupCommit<ReservationRequest, ReservationOutcome> _reservations;
    private readonly GroupCommit<Confirmation, bool> _confirmations;
    private readonly GroupCommit<KeyLookup, string?> _lookups;
    private readonly GroupCommit<CouponClaim, CouponClaimOutcome> _claims;

    /// <param name="node">The dispatcher's name in the leases it takes (PostgreSQL), so it drops only its own at start.</param>
    private protected CommerceStore(ICommerceDatabase database, string node)
    {
        _database = database;
        _dialect = database.Dialect;
        _node = node;
        _reservations = new(WriteReservationsAsync, database.MayBeOneRequest);
        _confirmations = new(WriteConfirmationsAsync, database.MayBeOneRequest);
        // Reads batched the same way: a rush of retried keys is one connection and one round trip, not one each
        // (on PostgreSQL each one would hold a pooled connection).
        _lookups = new(LookUpKeysAsync, _ => false);
        _claims = new(claims => _database.WriteAsync(s => CouponBatch.ApplyAsync(s, _dialect, claims), CancellationToken.None), database.MayBeOneRequest);
    }

    public Task DropCouponAsync(CouponRecord c, CancellationToken cancellationToken) =>
        _database.WriteAsync(s => s.ExecuteAsync(
            $"INSERT INTO chat_coupons ({CouponBatch.Columns}, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $8, $9, $10, $11);",
            cancellationToken, c.CouponId, c.ChannelId, c.DiscountCents, c.PercentOff, c.MinSpendCents, c.Sku, c.Currency, c.Quantity, c.PerBuyer,
            c.EndsAt.ToUnixTimeMilliseconds(), DateTimeOffset.UtcNow.ToUnixTimeMilliseconds()), cancellationToken);

    /// <summary>Group-committed like reservations: 5,000 claims at once are a few transactions, each answer after its commit.</summary>
    public Task<CouponClaimOutcome> ClaimCouponAsync(CouponClaim claim, CancellationToken cancellationToken) =>
        _claims.WriteAsync(claim, cancellationToken);

    public Task<IReadOnlyList<CouponRecord>> FindActiveCouponsAsync(string channelId, DateTimeOffset now, CancellationToken cancellationToken) =>
        _database.ReadAsync<IReadOnlyList<CouponRecord>>(async s =>
            (await s.QueryAsync($"SELECT {CouponBatch.Columns} FROM chat_coupons WHERE channel_id = $1 AND ends_at > $2 ORDER BY ends_at, coupon_id;",
                cancellationToken, channelId, now.ToUnixTimeMilliseconds()))
            .Select(CouponBatch.ReadCoupon).ToList(), cancellationToken);

    /// <summary>Group-committed: see <see cref="GroupCommit{TRequest, TResult}"/>. The answer comes after the commit.</summary>
    public Task<ReservationOutcome> ReserveAsync(ReservationRequest r, CancellationToken cancellationToken) =>
        _reservations.WriteAsync(r, cancellationToken);

    /// <summary>Applies <paramref name="requests"/> in order in one write transaction. Each one sees the effect of those
    /// before it (stock, idempotency keys, caps), exactly as if they ran one by one.</summary>
    private Task<IReadOnlyList<ReservationOutcome>> WriteReservationsAsync(IReadOnlyList<ReservationRequest> requests) =>
        _database.WriteAsync(session => ReservationBatch.ApplyAsync(session, _dialect, requests), CancellationToken.None);

    public async ValueTask DisposeAsync()
    {
        await _reservations.DisposeAsync();
        await _confirmations.DisposeAsync();
        await _lookups.DisposeAsync();
        await _claims.DisposeAsync();
        GC.SuppressFinalize(this);
    }

    public Task<string?> FindReservationAsync(string channelId, string buyerId, string idempotencyKey, CancellationToken cancellationToken) =>
        _lookups.WriteAsync(new KeyLookup(channelId, buyerId, idempotencyKey), cancellationToken);

    private sealed record KeyLookup(string ChannelId, string BuyerId, string Key);

    private Task<IReadOnlyList<string?>> LookUpKeysAsync(IReadOnlyList<KeyLookup> lookups) =>
        _database.ReadAsync<IReadOnlyList<string?>>(async s =>
            (await s.RunAsync(lookups.Select(l => new SqlCall(ReservationBatch.FindKey, l.ChannelId, l.BuyerId, l.Key)).ToList(), CancellationToken.None))
            .Select(r => r.Scalar as string).ToList(), CancellationToken.None);

    public Task<LineupStock> ApplyLineupAsync(string channelId, IReadOnlyList<LineupItem> lineup, bool resetStock, CancellationToken cancellationToken) =>
        _database.WriteAsync(async s =>
        {
            // Only the total changes: held (units of orders not failed) stays, unless the caller asked to start over.
            var sql = resetStock
                ? """
                  INSERT INTO chat_lineup_stock (channel_id, sku, stock, held, epoch) VALUES ($1, $2, $3, 0, 0)
                  ON CONFLICT (channel_id, sku) DO UPDATE SET stock = excluded.stock, held = 0, epoch = chat_lineup_stock.epoch + 1
                  RETURNING stock - held;
                  """
                : """
                  INSERT INTO chat_lineup_stock (channel_id, sku, stock, held, epoch) VALUES ($1, $2, $3, 0, 0)
                  ON CONFLICT (channel_id, sku) DO UPDATE SET stock = excluded.stock
                  RETURNING stock - held;
                  """;
            // In sku order, the order reservations lock ledger rows in, so two writers never wait for each other in a circle.
            var calls = lineup.OrderBy(i => i.Sku, StringComparer.Ordinal)
                .Select(item => new SqlCall(sql, channelId, item.Sku, item.Stock is { } n ? (long?)Math.Max(0, n) : null)).ToList();
            var results = await s.RunAsync(calls, cancellationToken);
            var sequence = await LedgerSequence.ForTransactionAsync(s, _dialect, cancellationToken);
            var remaining = new Dictionary<string, int>(StringComparer.Ordinal);
            for (var i = 0; i < calls.Count; i++)
            {
                if (results[i].Scalar is { } left) remaining[(string)calls[i].Args[1]!] = (int)Math.Max(0, SqlValue.Long(left));
            }
            return new LineupStock(remaining, sequence());
        }, cancellationToken);

    public Task<FlashSaleRecord> StartFlashSaleAsync(string channelId, string sku, long priceCents, string currency, int quantity, DateTimeOffset endsAt, DateTimeOffset? startsAt, CancellationToken cancellationToken) =>
        _database.WriteAsync(async s =>
        {
            var sale = new FlashSaleRecord("fs_" + Guid.NewGuid().ToString("N"), channelId, sku, priceCents, currency, quantity, quantity, endsAt, startsAt);
            await s.RunAsync(
            [
                new SqlCall("UPDATE chat_flash_sales SET ended = 1 WHERE channel_id = $1 AND ended = 0;", channelId),
                new SqlCall("INSERT INTO chat_flash_sales (sale_id, channel_id, sku, price_cents, currency, quantity, remaining, ends_at, starts_at) VALUES ($1, $2, $3, $4, $5, $6, $6, $7, $8);",
                    sale.SaleId, channelId, sku, priceCents, currency, quantity, endsAt.ToUnixTimeMilliseconds(), startsAt?.ToUnixTimeMilliseconds()),
            ], cancellationToken);
            return sale;
        }, cancellationToken);

    public Task<bool> EndFlashSaleAsync(string channelId, string? saleId, CancellationToken cancellationToken) =>
        _database.WriteAsync(async s => saleId is null
            ? await s.ExecuteAsync("UPDATE chat_flash_sales SET ended = 1 WHERE channel_id = $1 AND ended = 0;", cancellationToken, channelId) > 0
            : await s.ExecuteAsync("UPDATE chat_flash_sales SET ended = 1 WHERE channel_id = $1 AND ended = 0 AND sale_id = $2;", cancellationToken, channelId, saleId) > 0,
            cancellationToken);

    public Task<FlashSaleRecord?> FindActiveFlashSaleAsync(string channelId, DateTimeOffset now, CancellationToken cancellationToken) =>
        _database.ReadAsync(async s =>
        {
            var rows = await s.QueryAsync(
                "SELECT sale_id, sku, price_cents, currency, quantity, remaining, ends_at, starts_at FROM chat_flash_sales WHERE channel_id = $1 AND ended = 0 AND ends_at > $2 ORDER BY ends_at DESC LIMIT 1;",
                cancellationToken, channelId, now.ToUnixTimeMilliseconds());
            if (rows is not [var r, ..]) return null;
            return new FlashSaleRecord((string)r[0]!, channelId, (string)r[1]!, SqlValue.Long(r[2]), (string)r[3]!,
                SqlValue.Int(r[4]), SqlValue.Int(r[5]), DateTimeOffset.FromUnixTimeMilliseconds(SqlValue.Long(r[6])),
                SqlValue.NullableLong(r[7]) is { } starts ? DateTimeOffset.FromUnixTimeMilliseconds(starts) : null);
        }, cancellationToken);

    /// <summary>The embedded default's likes: one row per channel, so a restart keeps the total. One process paces its own
    /// announcements (<c>LikeService</c>), so every add with taps is announced.</summary>
    public Task<LikeTally> AddAsync(string channelId, long taps, CancellationToken cancellationToken) =>
        taps <= 0
            ? Task.FromResult(default(LikeTally))
            : _database.WriteAsync(async s =>
            {
                var total = SqlValue.Long(await s.ScalarAsync(
                    "INSERT INTO chat_likes (channel_id, total) VALUES ($1, $2) ON CONFLICT (channel_id) DO UPDATE SET total = chat_likes.total + excluded.total RETURNING total;",
                    cancellationToken, channelId, taps));
                return new LikeTally(total, Announce: true, Added: taps, Deferred: false);
            }, cancellationToken);

    public Task<long> TotalAsync(string channelId, CancellationToken cancellationToken) =>
        _database.ReadAsync(async s => await s.ScalarAsync("SELECT total FROM chat_likes WHERE channel_id = $1;", cancellationToken, channelId) is { } total
            ? SqlValue.Long(total) : 0L, cancellationToken);

    // ---- Draws (IDrawStore) ----

    private const string DrawColumns =
        "draw_id, channel_id, sku, currency, winners, requires, commitment, seed, started_at, ends_at, status, entrants, winner_ids";

    public Task<bool> StartDrawAsync(DrawRecord d, CancellationToken cancellationToken) =>
        _database.WriteAsync(async s =>
        {
            try
            {
                // One open draw per channel: checked here and held by the partial unique index when two nodes race.
                return await s.ExecuteAsync(
                    """
                    INSERT INTO chat_draws (draw_id, channel_id, sku, currency, winners, requires, commitment, seed, started_at, ends_at, status)
                    SELECT $1, $2, $3, $4, $5, $6, $7, $8, $9, $10, 'open'
                    WHERE NOT EXISTS (SELECT 1 FROM chat_draws WHERE channel_id = $2 AND status = 'open');
                    """,
                    cancellationToken, d.DrawId, d.ChannelId, d.Sku, d.Currency, d.Winners, d.Requires, d.Commitment, d.Seed,
                    d.StartedAt.ToUnixTimeMilliseconds(), d.EndsAt.ToUnixTimeMilliseconds()) == 1;
            }
            catch (System.Data.Common.DbException) when (!cancellationToken.IsCancellationRequested)
            {
                return false;
            }
        }, cancellationToken);

    public Task<DrawEntry> EnterDrawAsync(string drawId, DrawEntrant entrant, string buyerId, string? referrer, DateTimeOffset now, CancellationToken cancellationToken) =>
        _database.WriteAsync(async s =>
        {
            // The draw row is locked (PostgreSQL) so an entry and the end never interleave: an entry either commits
            // before the end reads the entrants, or sees the draw ended.
            var open = await s.ScalarAsync($"SELECT ends_at FROM chat_draws WHERE draw_id = $1 AND status = 'open'{_dialect.LockRows};", cancellationToken, drawId);
            if (open is null || SqlValue.Long(open) <= now.ToUnixTimeMilliseconds()) return new DrawEntry(DrawEntryOutcome.Closed, 0);
            var added = await s.ExecuteAsync(
                "INSERT INTO chat_draw_entries (draw_id, display_id, buyer_id, display_name, referrer, entered_at) VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (draw_id, display_id) DO NOTHING;",
                cancellationToken, drawId, entrant.DisplayId, buyerId, entrant.DisplayName, referrer, now.ToUnixTimeMilliseconds());
            var count = SqlValue.Int(await s.ScalarAsync("SELECT COUNT(*) FROM chat_draw_entries WHERE draw_id = $1;", cancellationToken, drawId));
            return new DrawEntry(added == 1 ? DrawEntryOutcome.Entered : DrawEntryOutcome.AlreadyEntered, count);
        }, cancellationToken);

    public Task<IReadOnlyList<(string DrawId, string ChannelId)>> DueDrawsAsync(DateTimeOffset now, CancellationToken cancellationToken) =>
        _database.ReadAsync<IReadOnlyList<(string, string)>>(async s =>
            (await s.QueryAsync("SELECT draw_id, channel_id FROM chat_draws WHERE status = 'open' AND ends_at <= $1 ORDER BY ends_at LIMIT 100;",
                cancellationToken, now.ToUnixTimeMilliseconds()))
            .Select(r => ((string)r[0]!, (string)r[1]!)).ToList(), cancellationToken);

    public Task<DrawRecord?> EndDrawAsync(string drawId, DateTimeOffset now, CancellationToken cancellationToken) =>
        _database.WriteAsync(async s =>
        {
            var at = now.ToUnixTimeMilliseconds();
            // The guarded transition: only the first try (on any node) finds the draw open.
            var rows = await s.QueryAsync(
                $"UPDATE chat_draws SET status = 'ended' WHERE draw_id = $1 AND status = 'open' AND ends_at <= $2 RETURNING {DrawColumns};",
                cancellationToken, drawId, at);
            if (rows is not [var row, ..]) return null;
            var draw = ReadDraw(row);
            var entries = (await s.QueryAsync("SELECT display_id, display_name, buyer_id, referrer FROM chat_draw_entries WHERE draw_id = $1;", cancellationToken, drawId))
                .ToDictionary(r => (string)r[0]!, r => (Name: (string)r[1]!, BuyerId: (string)r[2]!, Referrer: SqlValue.Text(r[3])), StringComparer.Ordinal);
            var sorted = DrawMethod.Sorted(entries.Keys);
            var winners = DrawMethod.Choose(Convert.FromHexString(draw.Seed), sorted, draw.Winners);
            var calls = new List<SqlCall>();
            for (var i = 0; i < winners.Count; i++)
            {
                var w = entries[winners[i]];
                // A prize: price 0, no stock held (ledger_epoch -1 never matches a ledger row, so a failed prize order
                // gives nothing back), the draw's id on the order.
                calls.Add(new SqlCall(
                    """
                    INSERT INTO orders_orders (order_id, channel_id, sku, quantity, unit_price_cents, currency, buyer_id, buyer_name, referrer,
                        flash_sale_id, lineup_reserved, ledger_epoch, status, attempts, next_attempt_at, created_at, updated_at, draw_id)
                    VALUES ($1, $2, $3, 1, 0, $4, $5, $6, $7, NULL, 0, -1, 'pending', 0, $8, $8, $8, $9);
                    """,
                    $"ord_{drawId}_{i + 1}", draw.ChannelId, draw.Sku, draw.Currency, w.BuyerId, w.Name, w.Referrer, at, drawId));
            }
            calls.Add(new SqlCall("UPDATE chat_draws SET entrants = $1, winner_ids = $2 WHERE draw_id = $3;", sorted.Length, string.Join('\n', winners), drawId));
            await s.RunAsync(calls, cancellationToken);
            return draw with
            {
                Ended = true, Entrants = sorted.Length, EntrantIds = sorted,
                WinnerList = [.. winners.Select(id => new DrawEntrant(id, entries[id].Name))],
            };
        }, cancellationToken);

    public Task<DrawRecord?> FindDrawAsync(string channelId, string drawId, CancellationToken cancellationToken) =>
        _database.ReadAsync(async s =>
        {
            var rows = await s.QueryAsync($"SELECT {DrawColumns} FROM chat_draws WHERE draw_id = $1 AND channel_id = $2;", cancellationToken, drawId, channelId);
            return rows is [var row, ..] ? await CompleteDrawAsync(s, ReadDraw(row), withEntrants: true, cancellationToken) : null;
        }, cancellationToken);

    public Task<DrawRecord?> LatestDrawAsync(string channelId, CancellationToken cancellationToken) =>
        _database.ReadAsync(async s =>
        {
            var rows = await s.QueryAsync($"SELECT {DrawColumns} FROM chat_draws WHERE channel_id = $1 ORDER BY started_at DESC LIMIT 1;", cancellationToken, channelId);
            return rows is [var row, ..] ? await CompleteDrawAsync(s, ReadDraw(row), withEntrants: false, cancellationToken) : null;
        }, cancellationToken);

    private static DrawRecord ReadDraw(object?[] r) => new(
        (string)r[0]!, (string)r[1]!, (string)r[2]!, (string)r[3]!, SqlValue.Int(r[4]), (string)r[5]!, (string)r[6]!, (string)r[7]!,
        DateTimeOffset.FromUnixTimeMilliseconds(SqlValue.Long(r[8])), DateTimeOffset.FromUnixTimeMilliseconds(SqlValue.Long(r[9])),
        (string)r[10]! == "ended", SqlValue.Int(r[11]), [],
        // Winner ids until the names are read (CompleteDrawAsync).
        SqlValue.Text(r[12]) is { Length: > 0 } ids ? ids.Split('\n') : null);

    /// <summary>Fills in the winners' names, and the sorted entrant ids (ended) or the live entrant count (open).</summary>
    private static async Task<DrawRecord> CompleteDrawAsync(ICommerceSession s, DrawRecord draw, bool withEntrants, CancellationToken cancellationToken)
    {
        var winnerIds = draw.EntrantIds ?? [];
        if (!draw.Ended)
        {
            var count = SqlValue.Int(await s.ScalarAsync("SELECT COUNT(*) FROM chat_draw_entries WHERE draw_id = $1;", cancellationToken, draw.DrawId));
            return draw with { Entrants = count, EntrantIds = null };
        }
        var names = (await s.QueryAsync("SELECT display_id, display_name FROM chat_draw_entries WHERE draw_id = $1;", cancellationToken, draw.DrawId))
            .ToDictionary(r => (string)r[0]!, r => (string)r[1]!, StringComparer.Ordinal);
        return draw with
        {
            WinnerList = [.. winnerIds.Select(id => new DrawEntrant(id, names.GetValueOrDefault(id, "")))],
            EntrantIds = withEntrants ? DrawMethod.Sorted(names.Keys) : null,
        };
    }

    private const string OrderColumns =
        "order_id, channel_id, sku, quantity, unit_price_cents, currency, buyer_id, buyer_name, referrer, flash_sale_id, status, attempts, last_error, created_at, coupon_id, discount_cents, draw_id, member_price";

    private static OrderRecord ReadOrder(object?[] r) => new(
        (string)r[0]!, (string)r[1]!, (string)r[2]!, SqlValue.Int(r[3]), SqlValue.Long(r[4]), (string)r[5]!, (string)r[6]!, (string)r[7]!,
        SqlValue.Text(r[8]), r[9] is not null, (string)r[10]!, SqlValue.Int(r[11]), SqlValue.Text(r[12]),
        DateTimeOffset.FromUnixTimeMilliseconds(SqlValue.Long(r[13])), SqlValue.Text(r[14]), SqlValue.Long(r[15]), SqlValue.Text(r[16]))
    {
        MemberPrice = SqlValue.Long(r[17]) != 0,
    };

    /// <summary>Leases due orders to this dispatcher. On PostgreSQL the rows are chosen <c>FOR UPDATE SKIP LOCKED</c>:
    /// nodes claiming at once take different orders, and an order leased by a node that died is due again once
    /// its lease ends.</summary>
    public Task<IReadOnlyList<OrderRecord>> ClaimDueAsync(DateTimeOffset now, int max, TimeSpan lease, CancellationToken cancellationToken) =>
        _database.WriteAsync<IReadOnlyList<OrderRecord>>(async s =>
        {
            var at = now.ToUnixTimeMilliseconds();
            var rows = await s.QueryAsync(
                $"""
                UPDATE orders_orders SET lease_until = $1{_dialect.ClaimOwner}
                WHERE order_id IN (SELECT order_id FROM orders_orders
                                   WHERE status = 'pending' AND next_attempt_at <= $2 AND lease_until <= $2
                                   ORDER BY next_attempt_at LIMIT $3{_dialect.SkipLocked})
                RETURNING {OrderColumns};
                """,
                cancellationToken, at + (long)lease.TotalMilliseconds, at, max, _node);
            return rows.Select(ReadOrder).ToList();
        }, cancellationToken);

    public Task ReleaseAllLeasesAsync(CancellationToken cancellationToken) =>
        _database.WriteAsync(s => s.ExecuteAsync(_dialect.ReleaseLeases, cancellationToken, _node), cancellationToken);

    /// <summary>Group-committed like reservations: a burst of answers from the order API is one transaction.</summary>
    public Task<bool> MarkConfirmedAsync(string orderId, int attempts, DateTimeOffset now, CancellationToken cancellationToken) =>
        _confirmations.WriteAsync(new Confirmation(orderId, attempts, now.ToUnixTimeMilliseconds()), cancellationToken);

    private sealed record Confirmation(string OrderId, int Attempts, long Now);

    private Task<IReadOnlyList<bool>> WriteConfirmationsAsync(IReadOnlyList<Confirmation> confirmations) =>
        _database.WriteAsync<IReadOnlyList<bool>>(async s =>
        {
            const string Update =
                $"UPDATE orders_orders SET status = '{OrderStatus.Confirmed}', attempts = $1, last_error = NULL, lease_until = 0, updated_at = $2 WHERE order_id = $3 AND status = 'pending';";
            var results = await s.RunAsync(confirmations.Select(c => new SqlCall(Update, c.Attempts, c.Now, c.OrderId)).ToList(), CancellationToken.None);
            return results.Select(r => r.Affected == 1).ToList();
        }, CancellationToken.None);

    public Task<bool> MarkDeadLetterAsync(string orderId, int attempts, string error, DateTimeOffset now, CancellationToken cancellationToken) =>
        _database.WriteAsync(async s => await s.ExecuteAsync(
            "UPDATE orders_orders SET status = $1, attempts = $2, last_error = $3, lease_until = 0, updated_at = $4 WHERE order_id = $5 AND status = 'pending';",
            cancellationToken, OrderStatus.DeadLetter, attempts, error, now.ToUnixTimeMilliseconds(), orderId) == 1, cancellationToken);

    public Task<StockRelease?> MarkFailedAsync(string orderId, int attempts, string error, DateTimeOffset now, CancellationToken cancellationToken) =>
        _database.WriteAsync<StockRelease?>(async s =>
        {
            var marked = await s.QueryAsync(
                """
                UPDATE orders_orders SET status = 'failed', attempts = $1, last_error = $2, lease_until = 0, updated_at = $3
                WHERE order_id = $4 AND status = 'pending'
                RETURNING channel_id, sku, quantity, flash_sale_id, ledger_epoch, coupon_id, buyer_id;
                """,
                cancellationToken, attempts, error, now.ToUnixTimeMilliseconds(), orderId);
            if (marked is not [var order, ..]) return null;
            var (channelId, sku, quantity, saleId, epoch) = ((string)order[0]!, (string)order[1]!, SqlValue.Long(order[2]), SqlValue.Text(order[3]), SqlValue.Long(order[4]));

            // The ledger row before the sale row, the order reservations lock them in. The order stops being held, so
            // remaining = max(0, stock - held) grows by at most what it took and never past the current total. An order
            // counted before a stock reset gives nothing to the new count.
            int? lineupRemaining = null, flashRemaining = null;
            if (await s.ScalarAsync(
                    $"UPDATE chat_lineup_stock SET held = {_dialect.Greatest}(0, held - $1) WHERE channel_id = $2 AND sku = $3 AND epoch = $4 RETURNING stock - held;",
                    cancellationToken, quantity, channelId, sku, epoch) is { } lineupLeft)
                lineupRemaining = (int)Math.Max(0, SqlValue.Long(lineupLeft));
            // Only a running sale takes units back; an ended sale's leftovers are irrelevant.
            if (saleId is not null && await s.ScalarAsync(
                    $"UPDATE chat_flash_sales SET remaining = {_dialect.Least}(quantity, remaining + $1) WHERE sale_id = $2 AND ended = 0 RETURNING remaining;",
                    cancellationToken, quantity, saleId) is { } flashLeft)
                flashRemaining = SqlValue.Int(flashLeft);
            // The coupon's claim comes back unused: the buyer may use it on another purchase. After the ledger and sale
            // rows, the order reservations lock them in (a claim row last), so the two never wait for each other in a circle.
            if (SqlValue.Text(order[5]) is { } couponId)
                await s.ExecuteAsync("UPDATE chat_coupon_claims SET used = used - 1 WHERE coupon_id = $1 AND buyer_id = $2 AND used > 0;",
                    cancellationToken, couponId, (string)order[6]!);
            var sequence = await LedgerSequence.ForTransactionAsync(s, _dialect, cancellationToken);
            return new StockRelease(channelId, sku, flashRemaining, lineupRemaining, sequence());
        }, cancellationToken);

    public Task ScheduleRetryAsync(string orderId, int attempts, DateTimeOffset nextAttemptAt, string error, DateTimeOffset now, CancellationToken cancellationToken) =>
        _database.WriteAsync(s => s.ExecuteAsync(
            "UPDATE orders_orders SET attempts = $1, next_attempt_at = $2, last_error = $3, lease_until = 0, updated_at = $4 WHERE order_id = $5 AND status = 'pending';",
            cancellationToken, attempts, nextAttemptAt.ToUnixTimeMilliseconds(), error, now.ToUnixTimeMilliseconds(), orderId), cancellationToken);

    public Task<int> CountPendingAsync(CancellationToken cancellationToken) =>
        _database.ReadAsync(async s => SqlValue.Int(await s.ScalarAsync("SELECT COUNT(*) FROM orders_orders WHERE status = 'pending';", cancellationToken)), cancellationToken);

    /// <summary>Also counts other nodes' leases: a dispatcher wakes when a dead node's lease ends, without a signal.</summary>
    public Task<DateTimeOffset?> NextDueAtAsync(CancellationToken cancellationToken) =>
        _database.ReadAsync(async s => await s.ScalarAsync(
                $"SELECT MIN({_dialect.Greatest}(next_attempt_at, lease_until)) FROM orders_orders WHERE status = 'pending';", cancellationToken) is { } at
            ? DateTimeOffset.FromUnixTimeMilliseconds(SqlValue.Long(at))
            : (DateTimeOffset?)null, cancellationToken);

    public Task<string> ArchiveChannelAsync(string channelId, DateTimeOffset deletedAt, CancellationToken cancellationToken) =>
        _database.WriteAsync(async s =>
        {
            var archiveId = ArchivedChannelId.For(channelId, deletedAt);
            var calls = new List<SqlCall> { new("UPDATE chat_flash_sales SET ended = 1 WHERE channel_id = $1 AND ended = 0;", channelId) };
            calls.AddRange(ArchivedTables.Select(table => new SqlCall($"UPDATE {table} SET channel_id = $1 WHERE channel_id = $2;", archiveId, channelId)));
            calls.AddRange(DroppedTables.Select(table => new SqlCall($"DELETE FROM {table} WHERE channel_id = $1;", channelId)));
            await s.RunAsync(calls, cancellationToken);
            return archiveId;
        }, cancellationToken);

    public Task<IReadOnlyList<OrderRecord>> ListByChannelAsync(string channelId, CancellationToken cancellationToken) =>
        _database.ReadAsync<IReadOnlyList<OrderRecord>>(async s =>
            (await s.QueryAsync($"SELECT {OrderColumns} FROM orders_orders WHERE channel_id = $1 ORDER BY created_at, order_id;", cancellationToken, channelId))
            .Select(ReadOrder).ToList(), cancellationToken);

    public Task<IReadOnlyList<OrderRecord>> ListByChannelAsync(string channelId, ListCursor? after, int max, CancellationToken cancellationToken) =>
        _database.ReadAsync<IReadOnlyList<OrderRecord>>(async s =>
            (after is null
                ? await s.QueryAsync($"SELECT {OrderColumns} FROM orders_orders WHERE channel_id = $1 ORDER BY created_at, order_id LIMIT $2;", cancellationToken, channelId, max)
                : await s.QueryAsync(
                    $"""
                    SELECT {OrderColumns} FROM orders_orders
                    WHERE channel_id = $1 AND (created_at > $2 OR (created_at = $2 AND order_id > $3))
                    ORDER BY created_at, order_id LIMIT $4;
                    """,
                    cancellationToken, channelId, after.At, after.Id, max))
            .Select(ReadOrder).ToList(), cancellationToken);

    public Task<IReadOnlyList<OrderRecord>> ListDeadLettersAsync(int max, CancellationToken cancellationToken) =>
        _database.ReadAsync<IReadOnlyList<OrderRecord>>(async s =>
            (await s.QueryAsync(
                $"SELECT {OrderColumns} FROM orders_orders WHERE status = '{OrderStatus.DeadLetter}' ORDER BY updated_at DESC, order_id LIMIT $1;",
                cancellationToken, max))
            .Select(ReadOrder).ToList(), cancellationToken);
}
