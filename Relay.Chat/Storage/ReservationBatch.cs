using Relay.Chat.Ledger;

namespace Relay.Chat.Storage;

/// <summary>
/// One group-committed batch of reservations on any engine: load the rows the batch touches in one go, apply the rules
/// (<see cref="ReservationBook"/>), write back what changed in one go, all inside the batch's transaction. The writes
/// are conditional updates (<c>stock - held >= taken</c>, <c>remaining >= taken</c>) backed by CHECK constraints, so
/// even a bug in the rules could not sell below zero: the transaction would fail instead.
/// On PostgreSQL the ledger and sale rows are read <c>FOR UPDATE</c>, in a fixed order, before the keys and the
/// buyers' units: another node's batch on the same sku waits for this one's commit and then reads what it wrote, so
/// stock, caps and keys stay exact across nodes.
/// </summary>
internal static class ReservationBatch
{
    public static string LedgerRow(CommerceDialect d) =>
        $"SELECT stock, held, epoch FROM chat_lineup_stock WHERE channel_id = $1 AND sku = $2{d.LockRows};";

    public static string SaleRow(CommerceDialect d) =>
        $"SELECT ended, ends_at, remaining FROM chat_flash_sales WHERE sale_id = $1{d.LockRows};";

    public const string AddUnlimited =
        "INSERT INTO chat_lineup_stock (channel_id, sku, stock, held, epoch) VALUES ($1, $2, NULL, 0, 0) ON CONFLICT DO NOTHING;";

    public const string FindKey =
        "SELECT order_id FROM orders_purchase_keys WHERE channel_id = $1 AND buyer_id = $2 AND idempotency_key = $3;";

    /// <summary>The buyer's units of the sku in orders that are not failed, by stock epoch and flash sale.</summary>
    public const string BuyerUnits =
        """
        SELECT ledger_epoch, flash_sale_id, SUM(quantity) FROM orders_orders
        WHERE channel_id = $1 AND buyer_id = $2 AND sku = $3 AND status <> 'failed'
        GROUP BY ledger_epoch, flash_sale_id;
        """;

    public const string TakeLineup =
        "UPDATE chat_lineup_stock SET held = held + $1 WHERE channel_id = $2 AND sku = $3 AND (stock IS NULL OR stock - held >= $1);";

    public const string TakeFlash =
        "UPDATE chat_flash_sales SET remaining = remaining - $1 WHERE sale_id = $2 AND remaining >= $1;";

    public const string InsertOrder =
        """
        INSERT INTO orders_orders (order_id, channel_id, sku, quantity, unit_price_cents, currency, buyer_id, buyer_name, referrer,
            flash_sale_id, lineup_reserved, ledger_epoch, status, attempts, next_attempt_at, created_at, updated_at, coupon_id, discount_cents, member_price)
        VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, 1, $11, 'pending', 0, $12, $12, $12, $13, $14, $15);
        """;

    /// <summary>The batch's purchase keys already used, in one statement (<see cref="CommerceDialect.BulkRows"/>).</summary>
    public const string FindKeys =
        """
        SELECT k.channel_id, k.buyer_id, k.idempotency_key, k.order_id FROM orders_purchase_keys k
        JOIN unnest($1::text[], $2::text[], $3::text[]) AS q(channel_id, buyer_id, idempotency_key)
          ON k.channel_id = q.channel_id AND k.buyer_id = q.buyer_id AND k.idempotency_key = q.idempotency_key;
        """;

    /// <summary><see cref="BuyerUnits"/> for every buyer and sku of the batch in one statement.</summary>
    public const string BuyersUnits =
        """
        SELECT o.channel_id, o.buyer_id, o.sku, o.ledger_epoch, o.flash_sale_id, SUM(o.quantity) FROM orders_orders o
        JOIN unnest($1::text[], $2::text[], $3::text[]) AS q(channel_id, buyer_id, sku)
          ON o.channel_id = q.channel_id AND o.buyer_id = q.buyer_id AND o.sku = q.sku
        WHERE o.status <> 'failed'
        GROUP BY o.channel_id, o.buyer_id, o.sku, o.ledger_epoch, o.flash_sale_id;
        """;

    /// <summary><see cref="InsertOrder"/> for the whole batch: one array per column.</summary>
    public const string InsertOrders =
        """
        INSERT INTO orders_orders (order_id, channel_id, sku, quantity, unit_price_cents, currency, buyer_id, buyer_name, referrer,
            flash_sale_id, lineup_reserved, ledger_epoch, status, attempts, next_attempt_at, created_at, updated_at, coupon_id, discount_cents, member_price)
        SELECT o, c, s, q, p, cur, b, n, r, f, 1, e, 'pending', 0, t, t, t, cp, d, m
        FROM unnest($1::text[], $2::text[], $3::text[], $4::int[], $5::bigint[], $6::text[], $7::text[], $8::text[], $9::text[],
            $10::text[], $11::bigint[], $12::bigint[], $13::text[], $14::bigint[], $15::int[])
          AS x(o, c, s, q, p, cur, b, n, r, f, e, t, cp, d, m);
        """;

    /// <summary><see cref="InsertKey"/> for the whole batch.</summary>
    public const string InsertKeys =
        """
        INSERT INTO orders_purchase_keys (channel_id, buyer_id, idempotency_key, order_id)
        SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[]);
        """;

    public const string CouponRow = $"SELECT {CouponBatch.Columns} FROM chat_coupons WHERE coupon_id = $1;";

    public static string ClaimRow(CommerceDialect d) =>
        $"SELECT claimed, used FROM chat_coupon_claims WHERE coupon_id = $1 AND buyer_id = $2{d.LockRows};";

    public const string UseClaim =
        "UPDATE chat_coupon_claims SET used = used + $1 WHERE coupon_id = $2 AND buyer_id = $3 AND claimed - used >= $1;";

    public const string InsertKey =
        "INSERT INTO orders_purchase_keys (channel_id, buyer_id, idempotency_key, order_id) VALUES ($1, $2, $3, $4);";

    /// <summary>Applies <paramref name="requests"/> in order inside the session's transaction; one outcome each.</summary>
    public static async Task<IReadOnlyList<ReservationOutcome>> ApplyAsync(ICommerceSession session, CommerceDialect dialect, IReadOnlyList<ReservationRequest> requests)
    {
        var ct = CancellationToken.None;
        // The process's counter on SQLite; on PostgreSQL the value read with the rows below (LedgerSequence).
        Func<long> nextSequence = LedgerSequence.Next;
        var book = new ReservationBook(() => "ord_" + Guid.NewGuid().ToString("N"), () => nextSequence());

        // Reads, in lock order: ledger rows (sorted), then sales (sorted), then what depends on them.
        var skus = requests.Select(r => (r.ChannelId, r.Sku)).Distinct().Order().ToList();
        var unlimited = requests.Where(r => !r.LineupLimited).Select(r => (r.ChannelId, r.Sku)).Distinct().Order().ToList();
        var sales = requests.Where(r => r.FlashSaleId is not null).Select(r => r.FlashSaleId!).Distinct().Order(StringComparer.Ordinal).ToList();
        var keys = requests.Select(r => (r.ChannelId, r.BuyerId, r.IdempotencyKey)).Distinct().ToList();
        var buyers = requests.Select(r => (r.ChannelId, r.BuyerId, r.Sku)).Distinct().ToList();
        var coupons = requests.Where(r => r.CouponId is not null).Select(r => r.CouponId!).Distinct().Order(StringComparer.Ordinal).ToList();
        var claims = requests.Where(r => r.CouponId is not null).Select(r => (r.CouponId!, r.BuyerId)).Distinct().Order().ToList();

        var reads = new List<SqlCall>(unlimited.Count + skus.Count + sales.Count + keys.Count + buyers.Count);
        // Every sku of an applied line-up has a row. A sku the ledger never saw has no limit set: it gets a row so its
        // units are counted from the first one.
        foreach (var (channel, sku) in unlimited) reads.Add(new SqlCall(AddUnlimited, channel, sku));
        var ledgerSql = LedgerRow(dialect);
        foreach (var (channel, sku) in skus) reads.Add(new SqlCall(ledgerSql, channel, sku));
        var saleSql = SaleRow(dialect);
        foreach (var sale in sales) reads.Add(new SqlCall(saleSql, sale));
        var bulk = dialect.BulkRows;
        if (bulk)
        {
            reads.Add(new SqlCall(FindKeys, keys.Select(k => k.ChannelId).ToArray(), keys.Select(k => k.BuyerId).ToArray(), keys.Select(k => k.IdempotencyKey).ToArray()));
            reads.Add(new SqlCall(BuyersUnits, buyers.Select(b => b.ChannelId).ToArray(), buyers.Select(b => b.BuyerId).ToArray(), buyers.Select(b => b.Sku).ToArray()));
        }
        else
        {
            foreach (var (channel, buyer, key) in keys) reads.Add(new SqlCall(FindKey, channel, buyer, key));
            foreach (var (channel, buyer, sku) in buyers) reads.Add(new SqlCall(BuyerUnits, channel, buyer, sku));
        }
        // After the ledger and sale rows (the lock order); a claim batch locks the coupon row, then its claims.
        foreach (var coupon in coupons) reads.Add(new SqlCall(CouponRow, coupon));
        var claimSql = ClaimRow(dialect);
        foreach (var (coupon, buyer) in claims) reads.Add(new SqlCall(claimSql, coupon, buyer));
        // Last, so the row locks above are held: the cluster-wide order of the counts this batch reads.
        if (dialect.SequenceBase is { } sequenceSql) reads.Add(new SqlCall(sequenceSql));
        var results = await session.RunAsync(reads, ct);
        if (dialect.SequenceBase is not null) nextSequence = LedgerSequence.From(SqlValue.Long(results[^1].Scalar));

        var at = unlimited.Count;
        foreach (var (channel, sku) in skus)
        {
            if (results[at++].Rows is [var row, ..])
                book.AddLedger(channel, sku, new ReservationBook.LedgerRow(SqlValue.NullableLong(row[0]), SqlValue.Long(row[1]), SqlValue.Long(row[2])));
        }
        foreach (var sale in sales)
        {
            if (results[at++].Rows is [var row, ..])
                book.AddSale(sale, new ReservationBook.SaleRow(SqlValue.Long(row[0]) != 0, SqlValue.Long(row[1]), SqlValue.Long(row[2])));
        }
        if (bulk)
        {
            foreach (var row in results[at++].Rows)
                book.AddKey(SqlValue.Text(row[0])!, SqlValue.Text(row[1])!, SqlValue.Text(row[2])!, SqlValue.Text(row[3])!);
            foreach (var row in results[at++].Rows)
                book.AddUnits(SqlValue.Text(row[0])!, SqlValue.Text(row[1])!, SqlValue.Text(row[2])!,
                    new ReservationBook.BuyerUnits(SqlValue.Long(row[3]), SqlValue.Text(row[4]), SqlValue.Long(row[5])));
        }
        else
        {
            foreach (var (channel, buyer, key) in keys)
            {
                if (results[at++].Scalar is string orderId) book.AddKey(channel, buyer, key, orderId);
            }
            foreach (var (channel, buyer, sku) in buyers)
            {
                foreach (var row in results[at++].Rows)
                    book.AddUnits(channel, buyer, sku, new ReservationBook.BuyerUnits(SqlValue.Long(row[0]), SqlValue.Text(row[1]), SqlValue.Long(row[2])));
            }
        }

        foreach (var _ in coupons)
        {
            if (results[at++].Rows is [var row, ..]) book.AddCoupon(CouponBatch.ReadCoupon(row));
        }
        foreach (var (coupon, buyer) in claims)
        {
            if (results[at++].Rows is [var row, ..]) book.AddClaim(coupon, buyer, new ReservationBook.ClaimRow(SqlValue.Long(row[0]), SqlValue.Long(row[1])));
        }

        var outcomes = new ReservationOutcome[requests.Count];
        for (var i = 0; i < requests.Count; i++) outcomes[i] = book.Apply(requests[i]);

        // Writes: the counts first (in lock order), then the orders and their keys.
        var writes = new List<SqlCall>();
        var guarded = 0;
        foreach (var ((channel, sku), row) in book.Ledger.OrderBy(x => x.Key))
        {
            if (row.Taken == 0) continue;
            writes.Add(new SqlCall(TakeLineup, row.Taken, channel, sku));
            guarded++;
        }
        foreach (var (sale, row) in book.Sales.OrderBy(x => x.Key, StringComparer.Ordinal))
        {
            if (row.Taken == 0) continue;
            writes.Add(new SqlCall(TakeFlash, row.Taken, sale));
            guarded++;
        }
        foreach (var ((coupon, buyer), row) in book.Claims.OrderBy(x => x.Key))
        {
            if (row.Taken == 0) continue;
            writes.Add(new SqlCall(UseClaim, (int)row.Taken, coupon, buyer));
            guarded++;
        }
        if (bulk)
        {
            if (book.Orders.Count > 0) writes.AddRange(BulkInserts(book.Orders));
        }
        else foreach (var order in book.Orders)
        {
            var r = order.Request;
            var now = r.Now.ToUnixTimeMilliseconds();
            writes.Add(new SqlCall(InsertOrder, order.OrderId, r.ChannelId, r.Sku, r.Quantity, r.UnitPriceCents, r.Currency, r.BuyerId, r.BuyerName,
                r.Referrer, r.FlashSaleId, order.Epoch, now, r.CouponId, order.DiscountCents, r.MemberPrice ? 1 : 0));
            writes.Add(new SqlCall(InsertKey, r.ChannelId, r.BuyerId, r.IdempotencyKey, order.OrderId));
        }
        if (writes.Count == 0) return outcomes;
        var written = await session.RunAsync(writes, ct);
        for (var i = 0; i < guarded; i++)
        {
            // A count that no longer fits means the rows changed under the batch: never answer `reserved` then.
            if (written[i].Affected != 1)
                throw new InvalidOperationException($"reservation batch: '{writes[i].Sql}' changed {written[i].Affected} rows, expected 1; rolled back");
        }
        return outcomes;
    }

    private static SqlCall[] BulkInserts(IReadOnlyList<ReservationBook.NewOrder> orders)
    {
        var n = orders.Count;
        var ids = new string[n]; var channels = new string[n]; var skus = new string[n]; var quantities = new int[n];
        var prices = new long[n]; var currencies = new string[n]; var buyers = new string[n]; var names = new string[n];
        var referrers = new string?[n]; var sales = new string?[n]; var epochs = new long[n]; var times = new long[n];
        var coupons = new string?[n]; var discounts = new long[n]; var members = new int[n]; var keys = new string[n];
        for (var i = 0; i < n; i++)
        {
            var order = orders[i];
            var r = order.Request;
            ids[i] = order.OrderId; channels[i] = r.ChannelId; skus[i] = r.Sku; quantities[i] = r.Quantity;
            prices[i] = r.UnitPriceCents; currencies[i] = r.Currency; buyers[i] = r.BuyerId; names[i] = r.BuyerName;
            referrers[i] = r.Referrer; sales[i] = r.FlashSaleId; epochs[i] = order.Epoch; times[i] = r.Now.ToUnixTimeMilliseconds();
            coupons[i] = r.CouponId; discounts[i] = order.DiscountCents; members[i] = r.MemberPrice ? 1 : 0; keys[i] = r.IdempotencyKey;
        }
        return
        [
            new SqlCall(InsertOrders, ids, channels, skus, quantities, prices, currencies, buyers, names, referrers, sales, epochs, times, coupons, discounts, members),
            new SqlCall(InsertKeys, channels, buyers, keys, ids),
        ];
    }
}
