using Relay.Chat.Ledger;

namespace Relay.Chat.Storage;

/// <summary>
/// One group-committed batch of coupon claims on any engine, the way <see cref="ReservationBatch"/> does reservations:
/// the coupon rows (locked <c>FOR UPDATE</c> on PostgreSQL, sorted) and the buyers' claim rows are read in one go, the
/// claims applied in arrival order (each one sees those before it), and the counts written back as conditional updates
/// (<c>remaining >= taken</c>, backed by a CHECK): a claim answered <c>claimed</c> is committed, and two nodes claiming the
/// same coupon wait for each other's commit on its row, so claims never exceed the quantity nor a buyer's cap.
/// </summary>
internal static class CouponBatch
{
    private static string CouponRow(CommerceDialect d) =>
        $"SELECT {Columns} FROM chat_coupons WHERE coupon_id = $1{d.LockRows};";

    private const string ClaimRow = "SELECT claimed FROM chat_coupon_claims WHERE coupon_id = $1 AND buyer_id = $2;";

    private const string TakeCoupon = "UPDATE chat_coupons SET remaining = remaining - $1 WHERE coupon_id = $2 AND remaining >= $1;";

    private const string AddClaims =
        """
        INSERT INTO chat_coupon_claims (coupon_id, buyer_id, claimed, used) VALUES ($1, $2, $3, 0)
        ON CONFLICT (coupon_id, buyer_id) DO UPDATE SET claimed = chat_coupon_claims.claimed + excluded.claimed;
        """;

    public const string Columns =
        "coupon_id, channel_id, discount_cents, percent_off, min_spend_cents, sku, currency, quantity, remaining, per_buyer, ends_at";

    public static CouponRecord ReadCoupon(object?[] r) => new(
        (string)r[0]!, (string)r[1]!, SqlValue.NullableLong(r[2]), r[3] is null ? null : SqlValue.Int(r[3]), SqlValue.Long(r[4]),
        SqlValue.Text(r[5]), (string)r[6]!, SqlValue.Int(r[7]), SqlValue.Int(r[8]), SqlValue.Int(r[9]),
        DateTimeOffset.FromUnixTimeMilliseconds(SqlValue.Long(r[10])));

    public static async Task<IReadOnlyList<CouponClaimOutcome>> ApplyAsync(ICommerceSession session, CommerceDialect dialect, IReadOnlyList<CouponClaim> claims)
    {
        var ct = CancellationToken.None;
        var couponIds = claims.Select(c => c.CouponId).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList();
        var pairs = claims.Select(c => (c.CouponId, c.BuyerId)).Distinct().ToList();
        var reads = new List<SqlCall>(couponIds.Count + pairs.Count);
        var couponSql = CouponRow(dialect);
        foreach (var id in couponIds) reads.Add(new SqlCall(couponSql, id));
        foreach (var (coupon, buyer) in pairs) reads.Add(new SqlCall(ClaimRow, coupon, buyer));
        var results = await session.RunAsync(reads, ct);

        var at = 0;
        var coupons = new Dictionary<string, (CouponRecord Coupon, int Remaining)>(StringComparer.Ordinal);
        foreach (var id in couponIds)
        {
            if (results[at++].Rows is [var row, ..])
            {
                var coupon = ReadCoupon(row);
                coupons[id] = (coupon, coupon.Remaining);
            }
        }
        var held = new Dictionary<(string, string), long>();
        var added = new Dictionary<(string, string), long>();
        foreach (var pair in pairs) held[pair] = results[at++].Scalar is { } n ? SqlValue.Long(n) : 0;

        var outcomes = new CouponClaimOutcome[claims.Count];
        for (var i = 0; i < claims.Count; i++)
        {
            var c = claims[i];
            if (!coupons.TryGetValue(c.CouponId, out var entry) || entry.Coupon.ChannelId != c.ChannelId)
            {
                outcomes[i] = new CouponClaimOutcome(CouponClaimKind.Invalid, -1);
                continue;
            }
            var (coupon, remaining) = entry;
            var key = (c.CouponId, c.BuyerId);
            outcomes[i] = coupon.EndsAt <= c.Now ? new CouponClaimOutcome(CouponClaimKind.Expired, remaining)
                : held[key] >= coupon.PerBuyer ? new CouponClaimOutcome(CouponClaimKind.LimitExceeded, remaining)
                : remaining < 1 ? new CouponClaimOutcome(CouponClaimKind.Gone, 0)
                : null!;
            if (outcomes[i] is not null) continue;
            remaining--;
            coupons[c.CouponId] = (coupon, remaining);
            held[key]++;
            added[key] = added.GetValueOrDefault(key) + 1;
            outcomes[i] = new CouponClaimOutcome(CouponClaimKind.Claimed, remaining);
        }

        var writes = new List<SqlCall>();
        foreach (var id in couponIds)
        {
            if (coupons.TryGetValue(id, out var entry) && entry.Coupon.Remaining - entry.Remaining is var taken and > 0)
                writes.Add(new SqlCall(TakeCoupon, taken, id));
        }
        var guarded = writes.Count;
        foreach (var ((coupon, buyer), count) in added) writes.Add(new SqlCall(AddClaims, coupon, buyer, (int)count));
        if (writes.Count == 0) return outcomes;
        var written = await session.RunAsync(writes, ct);
        for (var i = 0; i < guarded; i++)
        {
            // The row changed under the batch: never answer `claimed` then.
            if (written[i].Affected != 1)
                throw new InvalidOperationException($"coupon batch: '{writes[i].Sql}' changed {written[i].Affected} rows, expected 1; rolled back");
        }
        return outcomes;
    }
}
