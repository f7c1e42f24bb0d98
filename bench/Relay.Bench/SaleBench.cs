// Flash sale and sustained reservations modes of Relay.Bench (the hub mode is in Program.cs).
using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net.Http.Headers;
using System.Text.Json;
using Microsoft.AspNetCore.SignalR.Client;

sealed class SaleBench(
    Args opts, Stopwatch clock, Func<int, Action<HubConnection>?, Task<List<HubConnection>>> openGuests,
    Func<Task<HubConnection>> openHost, Action<string> log)
{
    private async Task<string> FlashSku(HubConnection host, long quantity, bool flash)
    {
        // One product with unlimited line-up stock, so only the flash sale's quantity limits the sale.
        using (var http = new HttpClient())
        {
            http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", opts.Token);
            var body = new StringContent("""[{"sku":"BENCH-1","title":"Bench product","priceCents":1000,"currency":"EUR"}]""",
                System.Text.Encoding.UTF8, "application/json");
            (await http.PutAsync($"{opts.Base}/api/v1/channels/demo/lineup", body)).EnsureSuccessStatusCode();
        }
        const string sku = "BENCH-1";
        if (flash)
        {
            await host.InvokeAsync<object>("StartFlashSale", new Dictionary<string, object>
            {
                ["sku"] = sku, ["priceCents"] = 500, ["quantity"] = quantity, ["durationSeconds"] = 3600,
            });
        }
        else
        {
            await host.InvokeAsync<object>("Pin", sku);
        }
        return sku;
    }

    /// <summary>
    /// `--warmup N` (default 1): every buyer first asks for a product that is not in the line-up N times (answer
    /// `not_on_sale`, no database), then 2 s pass. A server that has been up for a while has its hub and purchase
    /// paths compiled; a fresh one would spend the sale's first second in the JIT, and so would this tool.
    /// `--warmup 0` measures the cold start.
    /// </summary>
    private async Task WarmUpAsync(List<HubConnection> conns)
    {
        var argv = Environment.GetCommandLineArgs();
        var at = Array.IndexOf(argv, "--warmup");
        var rounds = at >= 0 && at + 1 < argv.Length ? int.Parse(argv[at + 1]) : 1;
        if (rounds <= 0) return;
        var sw = Stopwatch.StartNew();
        using var gate = new SemaphoreSlim(100);
        for (var round = 0; round < rounds; round++)
        {
            await Task.WhenAll(conns.Select(async c =>
            {
                await gate.WaitAsync();
                try
                {
                    await c.InvokeAsync<Dictionary<object, object>>("Purchase", new Dictionary<string, object>
                    {
                        ["sku"] = "WARMUP-NOT-LISTED", ["quantity"] = 1, ["idempotencyKey"] = Guid.NewGuid().ToString("N"),
                    });
                }
                finally { gate.Release(); }
            }));
        }
        await Task.Delay(2000);
        log($"warm-up: {rounds} x {conns.Count} not_on_sale purchases in {sw.Elapsed.TotalSeconds:F1} s");
    }

    public async Task<int> Sale()
    {
        // Room events every buyer receives during the sale: what the server has to fan out besides the answers.
        long stockEvents = 0, toastEvents = 0;
        var conns = await openGuests(opts.Conns, c =>
        {
            c.On<Dictionary<object, object>>("stock", _ => Interlocked.Increment(ref stockEvents));
            c.On<Dictionary<object, object>>("purchase", _ => Interlocked.Increment(ref toastEvents));
        });
        var host = await openHost();
        await WarmUpAsync(conns);
        var sku = await FlashSku(host, opts.Quantity, flash: true);
        log($"flash sale of {opts.Quantity} x {sku}: {conns.Count} buyers fire within {opts.SpreadMs} ms");
        var hist = new Histogram();
        var statuses = new ConcurrentDictionary<string, int>();
        var orderIds = new ConcurrentBag<string>();
        var rnd = new Random(42);
        var offsets = conns.Select(_ => rnd.Next(opts.SpreadMs)).ToArray();
        long firstReservedTicks = 0;
        var t0 = clock.Elapsed;
        // Watches the relay's order list every 100 ms from the start, during the burst too, until all `quantity`
        // orders are confirmed by the order API: the confirm lag is then not bounded below by the burst's length.
        using var stopWatching = new CancellationTokenSource(TimeSpan.FromSeconds(90));
        var watcher = Task.Run(async () =>
        {
            using var http = new HttpClient();
            http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", opts.Token);
            while (!stopWatching.IsCancellationRequested)
            {
                try
                {
                    var list = JsonDocument.Parse(await http.GetStringAsync($"{opts.Base}/api/v1/channels/demo/orders", stopWatching.Token)).RootElement;
                    if (list.EnumerateArray().Count(o => o.GetProperty("status").GetString() == "confirmed") >= opts.Quantity) return clock.ElapsedTicks;
                    await Task.Delay(100, stopWatching.Token);
                }
                catch (OperationCanceledException) { break; }
            }
            return 0L;
        });
        await Task.WhenAll(conns.Select(async (c, i) =>
        {
            var due = t0 + TimeSpan.FromMilliseconds(offsets[i]);
            var wait = due - clock.Elapsed;
            if (wait > TimeSpan.Zero) await Task.Delay(wait);
            var at = clock.ElapsedTicks;
            string status;
            try
            {
                var r = await c.InvokeAsync<Dictionary<object, object>>("Purchase", new Dictionary<string, object>
                {
                    ["sku"] = sku, ["quantity"] = 1, ["idempotencyKey"] = Guid.NewGuid().ToString("N"),
                });
                status = (string)r["status"];
                if (status == "reserved")
                {
                    orderIds.Add((string)r["orderId"]);
                    Interlocked.CompareExchange(ref firstReservedTicks, clock.ElapsedTicks, 0);
                }
            }
            catch (Exception e) { status = "error:" + e.Message.Split(':')[0]; }
            hist.Add(clock.ElapsedTicks - at);
            statuses.AddOrUpdate(status, 1, (_, v) => v + 1);
        }));
        var burst = (clock.Elapsed - t0).TotalSeconds;
        // Every reserved order must reach the order API exactly once.
        using var http = new HttpClient();
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", opts.Token);
        var deadline = clock.Elapsed + TimeSpan.FromSeconds(60);
        JsonElement relayOrders = default, apiOrders = default;
        int confirmed = 0;
        while (clock.Elapsed < deadline)
        {
            relayOrders = JsonDocument.Parse(await http.GetStringAsync($"{opts.Base}/api/v1/channels/demo/orders")).RootElement;
            confirmed = relayOrders.EnumerateArray().Count(o => o.GetProperty("status").GetString() == "confirmed");
            if (confirmed >= orderIds.Count && relayOrders.EnumerateArray().All(o => o.GetProperty("status").GetString() != "pending")) break;
            await Task.Delay(100);
        }
        var confirmSeconds = (clock.Elapsed - t0).TotalSeconds;
        // From the first `reserved` answer to the watcher's poll (every 100 ms) that saw all `quantity` orders confirmed.
        var allConfirmedTicks = await watcher;
        var confirmLagSeconds = allConfirmedTicks == 0 ? -1 : (allConfirmedTicks - firstReservedTicks) / (double)Stopwatch.Frequency;
        apiOrders = JsonDocument.Parse(await http.GetStringAsync($"{opts.Base}/api/v1/orders?channel=demo")).RootElement;
        var apiIds = apiOrders.EnumerateArray().Select(o => o.GetProperty("orderId").GetString()!).ToList();
        var reserved = orderIds.Distinct().ToHashSet();
        var result = new
        {
            mode = "sale", buyers = conns.Count, quantity = opts.Quantity, statuses,
            stockEventsPerBuyer = Interlocked.Read(ref stockEvents) / (double)conns.Count,
            toastEventsPerBuyer = Interlocked.Read(ref toastEvents) / (double)conns.Count,
            reserved = reserved.Count, oversell = Math.Max(0, reserved.Count - opts.Quantity),
            relayOrders = relayOrders.GetArrayLength(), relayConfirmed = confirmed,
            apiReceived = apiIds.Count, apiDistinct = apiIds.Distinct().Count(),
            lost = reserved.Count(id => !apiIds.Contains(id)), duplicates = apiIds.Count - apiIds.Distinct().Count(),
            burstSeconds = burst, purchasesPerSecond = conns.Count / burst,
            p50Ms = hist.Percentile(50), p99Ms = hist.Percentile(99), maxMs = hist.Max, allConfirmedAfterSeconds = confirmSeconds,
            allConfirmedAfterFirstReservedSeconds = Math.Round(confirmLagSeconds, 3),
        };
        Console.WriteLine(JsonSerializer.Serialize(result));
        await host.DisposeAsync();
        await Task.WhenAll(conns.Select(c => c.DisposeAsync().AsTask()));
        return 0;
    }

    public async Task<int> Sustained()
    {
        var conns = await openGuests(opts.Conns, null);
        var host = await openHost();
        var sku = await FlashSku(host, 0, flash: false); // pinned product, unlimited line-up stock
        log($"sustained purchases of pinned {sku} from {conns.Count} connections for {opts.Seconds} s");
        var hist = new Histogram();
        long reserved = 0, other = 0;
        var statuses = new ConcurrentDictionary<string, int>();
        var stopAt = clock.Elapsed + TimeSpan.FromSeconds(opts.Seconds);
        var t0 = clock.Elapsed;
        await Task.WhenAll(conns.Select(async c =>
        {
            while (clock.Elapsed < stopAt)
            {
                var at = clock.ElapsedTicks;
                try
                {
                    var r = await c.InvokeAsync<Dictionary<object, object>>("Purchase", new Dictionary<string, object>
                    {
                        ["sku"] = sku, ["quantity"] = 1, ["idempotencyKey"] = Guid.NewGuid().ToString("N"),
                    });
                    var s = (string)r["status"];
                    statuses.AddOrUpdate(s, 1, (_, v) => v + 1);
                    if (s == "reserved") Interlocked.Increment(ref reserved); else Interlocked.Increment(ref other);
                }
                catch (Exception e)
                {
                    statuses.AddOrUpdate("error:" + e.Message.Split(':')[0], 1, (_, v) => v + 1);
                    Interlocked.Increment(ref other);
                    await Task.Delay(50);
                }
                hist.Add(clock.ElapsedTicks - at);
            }
        }));
        var secs = (clock.Elapsed - t0).TotalSeconds;
        var result = new
        {
            mode = "sustained", conns = conns.Count, seconds = secs, reserved, other, statuses,
            reservationsPerSecond = reserved / secs, p50Ms = hist.Percentile(50), p99Ms = hist.Percentile(99), maxMs = hist.Max,
        };
        Console.WriteLine(JsonSerializer.Serialize(result));
        await host.DisposeAsync();
        await Task.WhenAll(conns.Select(c => c.DisposeAsync().AsTask()));
        return 0;
    }
}
