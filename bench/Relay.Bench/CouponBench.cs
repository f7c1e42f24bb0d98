// Coupon mode of Relay.Bench (issue 16): N viewers claim a coupon of Q within the spread, as the flash sale's buyers buy.
using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net.Http.Headers;
using System.Text.Json;
using Microsoft.AspNetCore.SignalR.Client;

sealed class CouponBench(
    Args opts, Stopwatch clock, Func<int, Action<HubConnection>?, Task<List<HubConnection>>> openGuests,
    Func<Task<HubConnection>> openHost, Action<string> log)
{
    public async Task<int> Claim()
    {
        long couponEvents = 0;
        var conns = await openGuests(opts.Conns, c => c.On<Dictionary<object, object>>("coupon", _ => Interlocked.Increment(ref couponEvents)));
        var host = await openHost();
        using (var http = new HttpClient())
        {
            http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", opts.Token);
            var body = new StringContent("""[{"sku":"BENCH-1","title":"Bench product","priceCents":1000,"currency":"EUR"}]""",
                System.Text.Encoding.UTF8, "application/json");
            (await http.PutAsync($"{opts.Base}/api/v1/channels/demo/lineup", body)).EnsureSuccessStatusCode();
        }
        // Warm-up as the sale does: every viewer claims an id that is no coupon (answered in memory), then 2 s pass.
        using (var gate = new SemaphoreSlim(100))
        {
            await Task.WhenAll(conns.Select(async c =>
            {
                await gate.WaitAsync();
                try { await c.InvokeAsync<Dictionary<object, object>>("ClaimCoupon", "cp_warmup"); }
                finally { gate.Release(); }
            }));
        }
        await Task.Delay(2000);
        var coupon = await host.InvokeAsync<Dictionary<object, object>>("DropCoupon", new Dictionary<string, object>
        {
            ["discountCents"] = 100, ["quantity"] = opts.Quantity, ["perBuyer"] = 1, ["durationSeconds"] = 600,
        });
        var couponId = (string)coupon["couponId"];
        log($"coupon of {opts.Quantity}: {conns.Count} viewers claim within {opts.SpreadMs} ms");
        var hist = new Histogram();
        var statuses = new ConcurrentDictionary<string, int>();
        var rnd = new Random(42);
        var offsets = conns.Select(_ => rnd.Next(opts.SpreadMs)).ToArray();
        var t0 = clock.Elapsed;
        await Task.WhenAll(conns.Select(async (c, i) =>
        {
            var due = t0 + TimeSpan.FromMilliseconds(offsets[i]);
            var wait = due - clock.Elapsed;
            if (wait > TimeSpan.Zero) await Task.Delay(wait);
            var at = clock.ElapsedTicks;
            string status;
            try { status = (string)(await c.InvokeAsync<Dictionary<object, object>>("ClaimCoupon", couponId))["status"]; }
            catch (Exception e) { status = "error:" + e.Message.Split(':')[0]; }
            hist.Add(clock.ElapsedTicks - at);
            statuses.AddOrUpdate(status, 1, (_, v) => v + 1);
        }));
        var burst = (clock.Elapsed - t0).TotalSeconds;
        // What a late joiner sees once the paced count went out.
        await Task.Delay(1000);
        var late = (await openGuests(1, null))[0];
        var snapshot = await late.InvokeAsync<Dictionary<object, object>>("Join", "demo", new Dictionary<string, object>());
        var listed = snapshot.TryGetValue("coupons", out var list) && list is object[] items ? items : [];
        var shownRemaining = listed.Length > 0 ? Convert.ToInt32(((Dictionary<object, object>)listed[0])["remaining"]) : -1;
        var claimed = statuses.GetValueOrDefault("claimed");
        var result = new
        {
            mode = "coupon", viewers = conns.Count, quantity = opts.Quantity, statuses,
            claimed, overClaim = Math.Max(0, claimed - opts.Quantity), lateJoinerRemaining = shownRemaining,
            couponEventsPerViewer = Interlocked.Read(ref couponEvents) / (double)conns.Count,
            burstSeconds = burst, claimsPerSecond = conns.Count / burst,
            p50Ms = hist.Percentile(50), p99Ms = hist.Percentile(99), maxMs = hist.Max,
        };
        Console.WriteLine(JsonSerializer.Serialize(result));
        await late.DisposeAsync();
        await host.DisposeAsync();
        await Task.WhenAll(conns.Select(c => c.DisposeAsync().AsTask()));
        return 0;
    }
}
