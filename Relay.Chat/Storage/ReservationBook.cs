using Relay.Chat.Ledger;

namespace Relay.Chat.Storage;

/// <summary>
/// The reservation rules, once for every engine: a group-committed batch loads the rows its purchases touch (ledger
/// rows, flash sales, idempotency keys, the buyers' units), applies the purchases here in arrival order, each one seeing
/// the effect of those before it exactly as if they ran one by one, and writes back what changed (<see cref="ReservationBatch"/>).
/// No I/O: the outcomes depend only on the loaded rows and the requests.
/// <list type="bullet">
/// <item>A key the buyer used before answers its order (Duplicate), whatever else changed since.</item>
/// <item>A sku without a ledger row is sold out (its line-up was never applied).</item>
/// <item>Per-buyer caps: the buyer's units of the sku in its current stock epoch, and of the flash sale, in orders that
/// are not failed, plus this purchase, stay within the request's caps.</item>
/// <item>A flash-sale purchase needs a running sale with enough left; then the line-up total must fit
/// (<c>stock - held >= quantity</c>, unlimited always fits), else the sale's units go back.</item>
/// <item>A purchase with a coupon needs a coupon of the channel, for this sku (when it names one), whose minimum the
/// subtotal meets, and a claim of this buyer not used yet; the claim is used by the order it reserves, never otherwise.</item>
/// </list>
/// </summary>
internal sealed class ReservationBook(Func<string> newOrderId, Func<long> nextSequence)
{
    private readonly Dictionary<(string Channel, string Sku), LedgerRow> _ledger = [];
    private readonly Dictionary<string, SaleRow> _sales = new(StringComparer.Ordinal);
    private readonly Dictionary<(string Channel, string Buyer, string Key), string> _keys = [];
    private readonly Dictionary<(string Channel, string Buyer, string Sku), List<BuyerUnits>> _units = [];
    private readonly List<NewOrder> _orders = [];
    private readonly Dictionary<string, CouponRecord> _coupons = new(StringComparer.Ordinal);
    private readonly Dictionary<(string Coupon, string Buyer), ClaimRow> _claims = [];

    /// <summary>A sku's ledger row: <paramref name="Stock"/> null = unlimited; <see cref="Taken"/> = units this batch added to held.</summary>
    public sealed record LedgerRow(long? Stock, long Held, long Epoch)
    {
        public long Held { get; set; } = Held;

        public long Taken { get; set; }
    }

    /// <summary>A flash sale's row; <see cref="Taken"/> = units this batch took from it (net of give-backs).</summary>
    public sealed record SaleRow(bool Ended, long EndsAt, long Remaining)
    {
        public long Remaining { get; set; } = Remaining;

        public long Taken { get; set; }
    }

    /// <summary>Units of one buyer's orders (not failed) of a sku counted in <paramref name="Epoch"/>, of sale <paramref name="SaleId"/>.</summary>
    public sealed record BuyerUnits(long Epoch, string? SaleId, long Units);

    /// <summary>An order this batch reserved: the row to insert with its key, and the discount its coupon gave.</summary>
    public sealed record NewOrder(string OrderId, ReservationRequest Request, long Epoch, long DiscountCents = 0);

    /// <summary>A buyer's claims of a coupon; <see cref="Taken"/> = claims this batch used.</summary>
    public sealed record ClaimRow(long Claimed, long Used)
    {
        public long Used { get; set; } = Used;

        public long Taken { get; set; }
    }

    public IReadOnlyDictionary<(string Coupon, string Buyer), ClaimRow> Claims => _claims;

    public void AddCoupon(CouponRecord coupon) => _coupons[coupon.CouponId] = coupon;

    public void AddClaim(string couponId, string buyerId, ClaimRow row) => _claims[(couponId, buyerId)] = row;

    public IReadOnlyDictionary<(string Channel, string Sku), LedgerRow> Ledger => _ledger;

    public IReadOnlyDictionary<string, SaleRow> Sales => _sales;

    public IReadOnlyList<NewOrder> Orders => _orders;

    public void AddLedger(string channelId, string sku, LedgerRow row) => _ledger[(channelId, sku)] = row;

    public void AddSale(string saleId, SaleRow row) => _sales[saleId] = row;

    public void AddKey(string channelId, string buyerId, string key, string orderId) => _keys[(channelId, buyerId, key)] = orderId;

    public void AddUnits(string channelId, string buyerId, string sku, BuyerUnits units)
    {
        if (!_units.TryGetValue((channelId, buyerId, sku), out var list)) _units[(channelId, buyerId, sku)] = list = [];
        list.Add(units);
    }

    public ReservationOutcome Apply(ReservationRequest r)
    {
        if (_keys.TryGetValue((r.ChannelId, r.BuyerId, r.IdempotencyKey), out var previous))
            return Outcome(ReservationKind.Duplicate, previous);
        if (!_ledger.TryGetValue((r.ChannelId, r.Sku), out var row))
            return Outcome(ReservationKind.SoldOut);
        ClaimRow? claim = null;
        long discount = 0;
        if (r.CouponId is { } couponId)
        {
            if (!_coupons.TryGetValue(couponId, out var coupon) || coupon.ChannelId != r.ChannelId)
                return CouponProblem("is not a coupon of this channel");
            if (coupon.Sku is { } only && only != r.Sku)
                return CouponProblem($"is only for {only}");
            var subtotal = r.UnitPriceCents * r.Quantity;
            if (subtotal < coupon.MinSpendCents)
                return CouponProblem($"needs a subtotal of at least {coupon.MinSpendCents} cents (this one is {subtotal})");
            if (!_claims.TryGetValue((couponId, r.BuyerId), out claim) || claim.Used >= claim.Claimed)
                return CouponProblem("is not claimed by you, or your claim was used already");
            discount = coupon.DiscountOn(subtotal);
        }

        // The caps count this buyer's orders in the same transaction that adds the new one, so concurrent purchases of
        // one buyer (several connections, a reconnect, another node) are applied one after the other.
        long skuUnits = 0, saleUnits = 0;
        if (_units.TryGetValue((r.ChannelId, r.BuyerId, r.Sku), out var held))
        {
            foreach (var u in held)
            {
                if (u.Epoch == row.Epoch) skuUnits += u.Units;
                if (r.FlashSaleId is not null && u.SaleId == r.FlashSaleId) saleUnits += u.Units;
            }
        }
        var limit = skuUnits + r.Quantity > r.MaxBuyerUnitsPerSku ? BuyerLimit.PerSku
            : r.FlashSaleId is not null && saleUnits + r.Quantity > r.MaxBuyerUnitsPerSale ? BuyerLimit.PerSale
            : BuyerLimit.None;
        if (limit != BuyerLimit.None)
            return Outcome(ReservationKind.LimitExceeded, limit: limit);

        int? flashRemaining = null;
        SaleRow? sale = null;
        if (r.FlashSaleId is { } saleId)
        {
            var now = r.Now.ToUnixTimeMilliseconds();
            // Why not: over (reported without a count) or sold out (remaining < quantity, reported so the room can
            // refuse the next ones in memory).
            if (!_sales.TryGetValue(saleId, out sale) || sale.Ended || sale.EndsAt <= now)
                return Outcome(ReservationKind.SaleOver);
            if (sale.Remaining < r.Quantity)
                return Outcome(ReservationKind.SoldOut, flash: (int)sale.Remaining);
            sale.Remaining -= r.Quantity;
            sale.Taken += r.Quantity;
            flashRemaining = (int)sale.Remaining;
        }

        if (row.Stock is { } stock && stock - row.Held < r.Quantity)
        {
            if (sale is not null)
            {
                sale.Remaining += r.Quantity;
                sale.Taken -= r.Quantity;
                flashRemaining = (int)sale.Remaining;
            }
            return Outcome(ReservationKind.SoldOut, flash: flashRemaining, lineup: (int)Math.Max(0, stock - row.Held));
        }
        row.Held += r.Quantity;
        row.Taken += r.Quantity;

        if (claim is not null)
        {
            claim.Used++;
            claim.Taken++;
        }
        var orderId = newOrderId();
        _orders.Add(new NewOrder(orderId, r, row.Epoch, discount));
        _keys[(r.ChannelId, r.BuyerId, r.IdempotencyKey)] = orderId;
        AddUnits(r.ChannelId, r.BuyerId, r.Sku, new BuyerUnits(row.Epoch, r.FlashSaleId, r.Quantity));
        return Outcome(ReservationKind.Reserved, orderId, flashRemaining, row.Stock is { } total ? (int)(total - row.Held) : null, discount: discount);
    }

    private ReservationOutcome CouponProblem(string problem) =>
        new(ReservationKind.CouponInvalid, null, null, null, nextSequence(), CouponProblem: "couponId " + problem);

    private ReservationOutcome Outcome(ReservationKind kind, string? orderId = null, int? flash = null, int? lineup = null, BuyerLimit limit = BuyerLimit.None,
        long discount = 0) =>
        new(kind, orderId, flash, lineup, nextSequence(), limit, discount);
}
