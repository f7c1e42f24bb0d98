// Reservations/s of the live room's stock ledger alone: `--engine sqlite|postgres --connection CS --seconds S --buyers N`.
// N buyers in a closed loop each reserve one unit of an unlimited line-up sku (a new buyer id and key each time, so
// every call is a reservation written and committed before it is answered, as a purchase of the pinned product is).
// Prints one JSON line: reservations, seconds, reservationsPerSecond, p50/p99 of the call in ms.
using System.Diagnostics;
using System.Text.Json;
using Microsoft.Extensions.Logging.Abstractions;
using Relay.Chat.Channels;
using Relay.Chat.Ledger;
using Relay.Chat.Storage;
using Relay.Chat.Storage.Postgres;
using Relay.Common.Storage;

var opts = args.Select((a, i) => (a, i)).Where(x => x.a.StartsWith("--", StringComparison.Ordinal))
    .ToDictionary(x => x.a[2..], x => x.i + 1 < args.Length ? args[x.i + 1] : "");
var engine = opts.GetValueOrDefault("engine", "sqlite");
var seconds = double.Parse(opts.GetValueOrDefault("seconds", "10"), System.Globalization.CultureInfo.InvariantCulture);
var buyers = int.Parse(opts.GetValueOrDefault("buyers", "512"), System.Globalization.CultureInfo.InvariantCulture);
var connection = opts["connection"];

CommerceStore store;
IAsyncDisposable? owner = null;
if (engine == "postgres")
{
    var database = new PostgresDatabase(connection);
    var chat = new PostgresChatDatabase(database, NullLogger<PostgresChatDatabase>.Instance);
    await chat.EnsureReadyAsync(CancellationToken.None);
    store = new PostgresCommerceStore(chat, "bench");
    owner = database;
}
else
{
    var chat = new ChatDatabase(connection, NullLogger<ChatDatabase>.Instance);
    await chat.EnsureReadyAsync(CancellationToken.None);
    store = new SqliteCommerceStore(chat);
    owner = chat;
}

await store.ApplyLineupAsync("bench", [new LineupItem("BENCH-1", "Bench", 1000, "EUR", null, null)], false, CancellationToken.None);
long reserved = 0, other = 0;
var latencies = new List<double>[buyers];
var clock = Stopwatch.StartNew();
var warmUntil = TimeSpan.FromSeconds(2);
var stopAt = warmUntil + TimeSpan.FromSeconds(seconds);
TimeSpan measuredFrom = default;
long reservedAtStart = -1;
await Task.WhenAll(Enumerable.Range(0, buyers).Select(async b =>
{
    latencies[b] = [];
    for (var n = 0; clock.Elapsed < stopAt; n++)
    {
        var started = clock.Elapsed;
        var outcome = await store.ReserveAsync(new ReservationRequest("bench", $"user_{b}_{n}", "Buyer", $"k{b}-{n}", "BENCH-1", 1, 1000, "EUR", null,
            null, false, DateTimeOffset.UtcNow, int.MaxValue, int.MaxValue), CancellationToken.None);
        if (outcome.Kind == ReservationKind.Reserved) Interlocked.Increment(ref reserved); else Interlocked.Increment(ref other);
        if (started >= warmUntil)
        {
            if (Interlocked.CompareExchange(ref reservedAtStart, Interlocked.Read(ref reserved), -1) == -1) measuredFrom = started;
            latencies[b].Add((clock.Elapsed - started).TotalMilliseconds);
        }
    }
}));
var elapsed = (clock.Elapsed - measuredFrom).TotalSeconds;
var all = latencies.SelectMany(l => l).Order().ToList();
double Percentile(double p) => all.Count == 0 ? 0 : all[(int)Math.Min(all.Count - 1, Math.Floor(p / 100 * all.Count))];
var counted = reserved - reservedAtStart;
Console.WriteLine(JsonSerializer.Serialize(new Dictionary<string, object>
{
    ["engine"] = engine, ["buyers"] = buyers, ["reservations"] = counted, ["other"] = other, ["seconds"] = Math.Round(elapsed, 2),
    ["reservationsPerSecond"] = Math.Round(counted / elapsed), ["p50Ms"] = Math.Round(Percentile(50), 2), ["p99Ms"] = Math.Round(Percentile(99), 2),
}));
await store.DisposeAsync();
await owner.DisposeAsync();
