using CsCheck;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging.Abstractions;
using Relay.Chat.Channels;
using Relay.Chat.Ledger;
using Relay.Chat.Storage;
using Relay.Tests.Common;

namespace Relay.Tests.Integration.Chat;

/// <summary>
/// The v2 stock rule on the real store (SQLite in a temp dir), over generated interleavings of line-up PUTs (stock up,
/// down, unlimited, dropped and re-listed, explicit resets), purchases (line-up and flash sale), confirmations, failures
/// and dead letters, some of them fired concurrently through the group commit. After every step the database must say:
/// held = the units of the orders that are not failed, counted in the sku's current epoch; remaining = max(0, stock - held)
/// in every answer; a reservation never leaves held above stock; a failure gives back at most what it took and only to
/// its own count; per-buyer caps hold; the flash pool equals its quantity minus what its orders hold.
/// </summary>
public sealed class StockLedgerPropertyTests
{
    private const string Channel = "c1";
    private static readonly string[] Skus = ["A", "B"];
    private const int Buyers = 3, CapPerSku = 5, CapPerSale = 2;
    private static readonly DateTimeOffset Now = DateTimeOffset.UtcNow;

    private abstract record Step;
    private sealed record Put(int?[] Stock, bool[] Listed, bool Reset) : Step
    {
        public override string ToString() =>
            $"Put [{string.Join(", ", Skus.Select((sku, i) => Listed[i] ? $"{sku}:{Stock[i]?.ToString() ?? "unlimited"}" : $"{sku}:-"))}]{(Reset ? " resetStock" : "")}";
    }
    private sealed record Buy(int Buyer, int Sku, int Quantity, bool InSale) : Step;
    private sealed record Settle(int Pick, Outcome Outcome) : Step;
    private sealed record StartSale(int Sku, int Quantity) : Step;
    private sealed record EndSale : Step;
    /// <summary>Purchases and settlements fired together: the group commit decides their order.</summary>
    private sealed record Together(Step[] Steps) : Step
    {
        public override string ToString() => $"Together [{string.Join(", ", Steps.Select(s => s.ToString()))}]";
    }

    private enum Outcome { Confirm, Fail, DeadLetter }

    private static readonly Gen<int?> StockGen = Gen.Frequency((1, Gen.Const((int?)null)), (5, Gen.Int[0, 8].Select(n => (int?)n)));

    private static readonly Gen<Step> PutGen =
        Gen.Select(StockGen.Array[2], Gen.Frequency((1, Gen.Const(false)), (6, Gen.Const(true))).Array[2], Gen.Frequency((1, Gen.Const(true)), (7, Gen.Const(false))))
            .Select(Step (stock, listed, reset) => new Put(stock, listed, reset));

    private static readonly Gen<Step> BuyGen =
        Gen.Select(Gen.Int[0, Buyers - 1], Gen.Int[0, Skus.Length - 1], Gen.Int[1, 3], Gen.Bool)
            .Select(Step (buyer, sku, quantity, inSale) => new Buy(buyer, sku, quantity, inSale));

    private static readonly Gen<Step> SettleGen =
        Gen.Select(Gen.Int[0, 1000], Gen.Frequency((3, Gen.Const(Outcome.Confirm)), (4, Gen.Const(Outcome.Fail)), (1, Gen.Const(Outcome.DeadLetter))))
            .Select(Step (pick, outcome) => new Settle(pick, outcome));

    private static readonly Gen<Step> SimpleStep = Gen.Frequency(
        (3, PutGen), (8, BuyGen), (5, SettleGen),
        (1, Gen.Select(Gen.Int[0, Skus.Length - 1], Gen.Int[1, 6]).Select(Step (sku, q) => new StartSale(sku, q))),
        (1, Gen.Const<Step>(new EndSale())));

    private static readonly Gen<Step> StepGen = Gen.Frequency(
        (6, SimpleStep),
        (1, Gen.Frequency((3, BuyGen), (2, SettleGen)).Array[2, 8].Select(Step (steps) => new Together(steps))));

    /// <summary>A first PUT (the room applies the line-up before anyone buys), then 10-60 steps.</summary>
    private static readonly Gen<Step[]> Scenario = Gen.Select(PutGen, StepGen.Array[10, 60]).Select((first, rest) => (Step[])[first, .. rest]);

    [Fact]
    public async Task Sold_units_never_exceed_the_stock_of_the_current_lineup_and_remaining_is_stock_minus_held()
    {
        var dir = Directory.CreateTempSubdirectory("relay-stock-property-").FullName;
        var run = 0;
        try
        {
            await Scenario.SampleAsync(async steps =>
            {
                var file = Path.Combine(dir, $"relay-{Interlocked.Increment(ref run)}.db");
                await using var world = await World.OpenAsync(file);
                foreach (var step in steps) await world.ApplyAsync(step);
            }, iter: FaultScale.Of(60), threads: 1, print: steps => string.Join("; ", steps.Select(s => s.ToString())));
        }
        finally
        {
            SqliteConnection.ClearAllPools();
            try { Directory.Delete(dir, recursive: true); } catch (IOException) { }
        }
    }

    /// <summary>
    /// A database written by the v1 schema (line-up stock kept as a bare remaining count, reset by every PUT) is migrated
    /// at start: buyers can get exactly what they could before, the units of orders that are not failed stay sold
    /// through the next PUT, and a failure gives back only what it took.
    /// </summary>
    [Fact]
    public async Task A_v1_database_is_migrated_keeping_what_buyers_can_get_and_what_is_sold()
    {
        var dir = Directory.CreateTempSubdirectory("relay-stock-migration-").FullName;
        var connectionString = $"Data Source={Path.Combine(dir, "relay.db")}";
        try
        {
            await using (var v1 = new SqliteConnection(connectionString))
            {
                await v1.OpenAsync(TestContext.Current.CancellationToken);
                await using var create = v1.CreateCommand();
                create.CommandText = V1Schema + """
                    INSERT INTO chat_schema_version (id, version) VALUES (1, 1);
                    INSERT INTO chat_lineup_stock VALUES ('c1', 'A', 3);
                    INSERT INTO orders_orders (order_id, channel_id, sku, quantity, unit_price_cents, currency, buyer_id, buyer_name,
                        lineup_reserved, status, next_attempt_at, created_at, updated_at) VALUES
                        ('o1', 'c1', 'A', 2, 100, 'EUR', 'user_1', 'One', 1, 'pending', 0, 1, 1),
                        ('o2', 'c1', 'A', 1, 100, 'EUR', 'user_2', 'Two', 1, 'confirmed', 0, 2, 2),
                        ('o3', 'c1', 'A', 4, 100, 'EUR', 'user_3', 'Three', 1, 'failed', 0, 3, 3),
                        ('o4', 'c1', 'B', 5, 100, 'EUR', 'user_1', 'One', 0, 'confirmed', 0, 4, 4);
                    """;
                await create.ExecuteNonQueryAsync(TestContext.Current.CancellationToken);
            }

            await using var database = new ChatDatabase(connectionString, NullLogger<ChatDatabase>.Instance);
            await using var store = new SqliteCommerceStore(database);
            var ct = TestContext.Current.CancellationToken;
            // The room reopens on the stored line-up (A: 6 in total now, B unlimited): 3 of A were held, so 3 are left.
            var opened = await store.ApplyLineupAsync("c1", [new LineupItem("A", "A", 100, "EUR", null, 6), new LineupItem("B", "B", 100, "EUR", null, null)], false, ct);
            Assert.Equal(new Dictionary<string, int> { ["A"] = 3 }, opened.Remaining);
            // B was unlimited and sold 5; limiting it to 6 leaves 1.
            var limited = await store.ApplyLineupAsync("c1", [new LineupItem("A", "A", 100, "EUR", null, 6), new LineupItem("B", "B", 100, "EUR", null, 6)], false, ct);
            Assert.Equal(1, limited.Remaining["B"]);
            // The pending order from before the upgrade fails: its 2 units come back, and no more.
            var release = await store.MarkFailedAsync("o1", 1, "HTTP 422", DateTimeOffset.UtcNow, ct);
            Assert.Equal(5, release!.LineupRemaining);
            Assert.Null(await store.MarkFailedAsync("o1", 1, "HTTP 422", DateTimeOffset.UtcNow, ct));
            Assert.Equal(5, (await store.ApplyLineupAsync("c1", [new LineupItem("A", "A", 100, "EUR", null, 6)], false, ct)).Remaining["A"]);
        }
        finally
        {
            SqliteConnection.ClearAllPools();
            try { Directory.Delete(dir, recursive: true); } catch (IOException) { }
        }
    }

    /// <summary>The schema as version 1 of the migrations left it (commit 365f518).</summary>
    private const string V1Schema = """
        CREATE TABLE chat_schema_version (id INTEGER PRIMARY KEY CHECK (id = 1), version INTEGER NOT NULL);
        CREATE TABLE chat_lineup_stock (
            channel_id TEXT NOT NULL, sku TEXT NOT NULL,
            remaining INTEGER NOT NULL CHECK (remaining >= 0),
            PRIMARY KEY (channel_id, sku));
        CREATE TABLE chat_flash_sales (
            sale_id TEXT PRIMARY KEY, channel_id TEXT NOT NULL, sku TEXT NOT NULL,
            price_cents INTEGER NOT NULL, currency TEXT NOT NULL,
            quantity INTEGER NOT NULL, remaining INTEGER NOT NULL CHECK (remaining >= 0 AND remaining <= quantity),
            ends_at INTEGER NOT NULL, ended INTEGER NOT NULL DEFAULT 0);
        CREATE INDEX chat_flash_sales_active ON chat_flash_sales (channel_id, ended);
        CREATE TABLE orders_orders (
            order_id TEXT PRIMARY KEY, channel_id TEXT NOT NULL, sku TEXT NOT NULL,
            quantity INTEGER NOT NULL, unit_price_cents INTEGER NOT NULL, currency TEXT NOT NULL,
            buyer_id TEXT NOT NULL, buyer_name TEXT NOT NULL, referrer TEXT NULL,
            flash_sale_id TEXT NULL, lineup_reserved INTEGER NOT NULL,
            status TEXT NOT NULL, attempts INTEGER NOT NULL DEFAULT 0,
            next_attempt_at INTEGER NOT NULL, lease_until INTEGER NOT NULL DEFAULT 0,
            last_error TEXT NULL, created_at INTEGER NOT NULL, updated_at INTEGER NOT NULL);
        CREATE INDEX orders_orders_due ON orders_orders (status, next_attempt_at);
        CREATE INDEX orders_orders_channel ON orders_orders (channel_id, created_at);
        CREATE TABLE orders_purchase_keys (
            channel_id TEXT NOT NULL, buyer_id TEXT NOT NULL, idempotency_key TEXT NOT NULL,
            order_id TEXT NOT NULL, PRIMARY KEY (channel_id, buyer_id, idempotency_key));
        CREATE TABLE orders_api_received (
            idempotency_key TEXT PRIMARY KEY, order_id TEXT NOT NULL, channel_id TEXT NOT NULL,
            body TEXT NOT NULL, response TEXT NOT NULL, received_at INTEGER NOT NULL);
        CREATE INDEX orders_api_received_channel ON orders_api_received (channel_id, received_at);

        """;

    /// <summary>The store plus a model of what it must hold. Which orders exist and their states come from the store's
    /// own answers; what stock, held and remaining must be follows from the rule alone.</summary>
    private sealed class World : IAsyncDisposable
    {
        private readonly ChatDatabase _database;
        private readonly SqliteCommerceStore _store;
        private readonly string _connectionString;
        private readonly Dictionary<string, int?> _stock = new(StringComparer.Ordinal);
        private readonly Dictionary<string, long> _epoch = new(StringComparer.Ordinal);
        private readonly HashSet<string> _listed = new(StringComparer.Ordinal);
        private readonly List<Order> _orders = [];
        private FlashSaleRecord? _sale;
        private bool _saleEnded;
        private int _keys;

        private sealed class Order(string id, int buyer, string sku, int quantity, long epoch, string? saleId)
        {
            public string Id { get; } = id;
            public int Buyer { get; } = buyer;
            public string Sku { get; } = sku;
            public int Quantity { get; } = quantity;
            public long Epoch { get; } = epoch;
            public string? SaleId { get; } = saleId;
            public string Status { get; set; } = "pending";
        }

        private World(string connectionString)
        {
            _connectionString = connectionString;
            _database = new ChatDatabase(connectionString, NullLogger<ChatDatabase>.Instance);
            _store = new SqliteCommerceStore(_database);
        }

        public static async Task<World> OpenAsync(string file)
        {
            var world = new World($"Data Source={file}");
            await world._database.EnsureReadyAsync(CancellationToken.None);
            return world;
        }

        private int Held(string sku) => _orders.Where(o => o.Sku == sku && o.Epoch == _epoch.GetValueOrDefault(sku) && o.Status != "failed").Sum(o => o.Quantity);

        private int? Remaining(string sku) => _stock.GetValueOrDefault(sku) is { } stock ? Math.Max(0, stock - Held(sku)) : null;

        private bool SaleRunning => _sale is not null && !_saleEnded;

        public async Task ApplyAsync(Step step)
        {
            switch (step)
            {
                case Put put:
                    await PutAsync(put);
                    break;
                case Buy buy:
                    var expected = Predict(buy);
                    if (await BuyAsync(buy) is not var (outcome, request)) break;
                    Assert.True(expected == outcome.Kind, $"{buy}: expected {expected}, the store answered {outcome.Kind}");
                    // Every count the store reports for a limited sku is the rule: max(0, stock - held).
                    if (request.LineupLimited && (outcome.Kind == ReservationKind.Reserved || (outcome.Kind == ReservationKind.SoldOut && request.FlashSaleId is null)))
                        Assert.Equal(Remaining(request.Sku), outcome.LineupRemaining);
                    break;
                case Settle settle:
                    await SettleAsync(settle, exact: true);
                    break;
                case StartSale start:
                    var sku = Skus[start.Sku];
                    if (!_listed.Contains(sku)) break;
                    _sale = await _store.StartFlashSaleAsync(Channel, sku, 100, "EUR", start.Quantity, Now.AddHours(1), null, CancellationToken.None);
                    _saleEnded = false;
                    break;
                case EndSale:
                    await _store.EndFlashSaleAsync(Channel, null, CancellationToken.None);
                    _saleEnded = true;
                    break;
                case Together together:
                    // Settlements target orders that exist before the burst; purchases race each other in the group commit.
                    await Task.WhenAll(together.Steps.Select(s => s switch
                    {
                        Buy b => BuyAsync(b),
                        Settle st => SettleAsync(st, exact: false),
                        _ => Task.CompletedTask,
                    }));
                    break;
            }
            await CheckAsync(step);
        }

        private async Task PutAsync(Put put)
        {
            var lineup = new List<LineupItem>();
            for (var i = 0; i < Skus.Length; i++)
                if (put.Listed[i]) lineup.Add(new LineupItem(Skus[i], Skus[i], 1000, "EUR", null, put.Stock[i]));
            var applied = await _store.ApplyLineupAsync(Channel, lineup, put.Reset, CancellationToken.None);
            _listed.Clear();
            foreach (var item in lineup)
            {
                _listed.Add(item.Sku);
                if (put.Reset && _epoch.ContainsKey(item.Sku)) _epoch[item.Sku]++;
                else _epoch.TryAdd(item.Sku, 0);
                _stock[item.Sku] = item.Stock;
            }
            // What the PUT answers is the rule itself: max(0, stock - held) for limited skus, nothing for unlimited ones.
            var expected = lineup.Where(i => i.Stock is not null).ToDictionary(i => i.Sku, i => Remaining(i.Sku)!.Value);
            Assert.Equal(expected.OrderBy(e => e.Key), applied.Remaining.OrderBy(e => e.Key));
        }

        private ReservationKind? Predict(Buy buy)
        {
            var sku = Skus[buy.Sku];
            var inSale = buy.InSale && SaleRunning && _sale!.Sku == sku;
            var mine = _orders.Where(o => o.Buyer == buy.Buyer && o.Sku == sku && o.Status != "failed").ToList();
            if (mine.Where(o => o.Epoch == _epoch[sku]).Sum(o => o.Quantity) + buy.Quantity > CapPerSku) return ReservationKind.LimitExceeded;
            if (inSale && mine.Where(o => o.SaleId == _sale!.SaleId).Sum(o => o.Quantity) + buy.Quantity > CapPerSale) return ReservationKind.LimitExceeded;
            if (inSale && _sale!.Quantity - _orders.Where(o => o.SaleId == _sale.SaleId && o.Status != "failed").Sum(o => o.Quantity) < buy.Quantity)
                return ReservationKind.SoldOut;
            return Remaining(sku) is { } left && left < buy.Quantity ? ReservationKind.SoldOut : ReservationKind.Reserved;
        }

        /// <summary>null when the sku is not listed: the room refuses it and the store is not asked.</summary>
        private async Task<(ReservationOutcome Outcome, ReservationRequest Request)?> BuyAsync(Buy buy)
        {
            var sku = Skus[buy.Sku];
            var inSale = buy.InSale && SaleRunning && _sale!.Sku == sku;
            var request = new ReservationRequest(Channel, $"user_{buy.Buyer}", $"Buyer {buy.Buyer}", $"k{Interlocked.Increment(ref _keys)}",
                sku, buy.Quantity, 1000, "EUR", null, inSale ? _sale!.SaleId : null, _stock.GetValueOrDefault(sku) is not null, Now,
                CapPerSku, CapPerSale);
            if (!_listed.Contains(sku)) return null;
            var epoch = _epoch[sku];
            var outcome = await _store.ReserveAsync(request, CancellationToken.None);
            if (outcome.Kind == ReservationKind.Reserved)
            {
                lock (_orders) _orders.Add(new Order(outcome.OrderId!, buy.Buyer, sku, buy.Quantity, epoch, request.FlashSaleId));
                // Nothing sells past the current total.
                if (_stock.GetValueOrDefault(sku) is { } stock)
                    Assert.True(outcome.LineupRemaining is >= 0 && outcome.LineupRemaining <= stock, $"{buy}: remaining {outcome.LineupRemaining} of {stock}");
            }
            Assert.True(outcome.LineupRemaining is null or >= 0);
            return (outcome, request);
        }

        private async Task SettleAsync(Settle settle, bool exact)
        {
            Order order;
            lock (_orders)
            {
                if (_orders.Count == 0) return;
                order = _orders[settle.Pick % _orders.Count];
            }
            var pending = order.Status == "pending";
            switch (settle.Outcome)
            {
                case Outcome.Confirm:
                    var confirmed = await _store.MarkConfirmedAsync(order.Id, 1, Now, CancellationToken.None);
                    if (exact) Assert.Equal(pending, confirmed);
                    if (confirmed) order.Status = "confirmed";
                    break;
                case Outcome.DeadLetter:
                    var dead = await _store.MarkDeadLetterAsync(order.Id, 8, "gave up", Now, CancellationToken.None);
                    if (exact) Assert.Equal(pending, dead);
                    if (dead) order.Status = "dead_letter";
                    break;
                case Outcome.Fail:
                    var release = await _store.MarkFailedAsync(order.Id, 1, "HTTP 422", Now, CancellationToken.None);
                    if (exact) Assert.Equal(pending, release is not null);
                    if (release is null) break;
                    var heldBefore = exact ? Held(order.Sku) : 0;
                    order.Status = "failed";
                    if (order.Epoch != _epoch.GetValueOrDefault(order.Sku))
                    {
                        // Counted before a stock reset: the new count gets nothing.
                        Assert.Null(release.LineupRemaining);
                    }
                    else if (exact && _stock.GetValueOrDefault(order.Sku) is { } stock)
                    {
                        Assert.Equal(Math.Max(0, stock - (heldBefore - order.Quantity)), release.LineupRemaining);
                    }
                    if (release.LineupRemaining is { } left && _stock.GetValueOrDefault(order.Sku) is { } total)
                        Assert.InRange(left, 0, total);
                    break;
            }
        }

        /// <summary>What the database holds must be what the rule says, whatever order concurrent steps ran in.</summary>
        private async Task CheckAsync(Step step)
        {
            await using var c = new SqliteConnection(_connectionString);
            await c.OpenAsync();
            await using (var rows = c.CreateCommand())
            {
                rows.CommandText = "SELECT sku, stock, held, epoch FROM chat_lineup_stock WHERE channel_id = $c;";
                rows.Parameters.AddWithValue("$c", Channel);
                await using var reader = await rows.ExecuteReaderAsync();
                while (await reader.ReadAsync())
                {
                    var sku = reader.GetString(0);
                    int? stock = reader.IsDBNull(1) ? null : reader.GetInt32(1);
                    var (held, epoch) = (reader.GetInt32(2), reader.GetInt64(3));
                    Assert.True(_stock.GetValueOrDefault(sku) == stock, $"after {step}: {sku} stock {stock}, the last line-up said {_stock.GetValueOrDefault(sku)}");
                    Assert.Equal(_epoch.GetValueOrDefault(sku), epoch);
                    Assert.True(Held(sku) == held, $"after {step}: {sku} held {held}, its orders hold {Held(sku)}");
                    Assert.Equal(await HeldByOrdersAsync(c, sku, epoch), held);
                }
            }
            foreach (var sku in _listed)
            {
                for (var buyer = 0; buyer < Buyers; buyer++)
                {
                    var mine = _orders.Where(o => o.Buyer == buyer && o.Sku == sku && o.Status != "failed").ToList();
                    Assert.InRange(mine.Where(o => o.Epoch == _epoch[sku]).Sum(o => o.Quantity), 0, CapPerSku);
                    if (_sale is { } s) Assert.InRange(mine.Where(o => o.SaleId == s.SaleId).Sum(o => o.Quantity), 0, CapPerSale);
                }
            }
            if (_sale is { } sale && !_saleEnded)
            {
                var db = await _store.FindActiveFlashSaleAsync(Channel, Now, CancellationToken.None);
                var sold = _orders.Where(o => o.SaleId == sale.SaleId && o.Status != "failed").Sum(o => o.Quantity);
                Assert.Equal(sale.Quantity - sold, db!.Remaining);
                Assert.InRange(db.Remaining, 0, sale.Quantity);
            }
        }

        private static async Task<int> HeldByOrdersAsync(SqliteConnection c, string sku, long epoch)
        {
            await using var sum = c.CreateCommand();
            sum.CommandText = "SELECT COALESCE(SUM(quantity), 0) FROM orders_orders WHERE channel_id = $c AND sku = $s AND ledger_epoch = $e AND status <> 'failed';";
            sum.Parameters.AddWithValue("$c", Channel);
            sum.Parameters.AddWithValue("$s", sku);
            sum.Parameters.AddWithValue("$e", epoch);
            return Convert.ToInt32(await sum.ExecuteScalarAsync());
        }

        public async ValueTask DisposeAsync()
        {
            await _store.DisposeAsync();
            await _database.DisposeAsync();
        }
    }
}
