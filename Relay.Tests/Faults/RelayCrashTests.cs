using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.AspNetCore.SignalR.Client;
using Relay.Chat.Contracts;
using Relay.Tests.Common;
using Relay.Tests.Common.Media;
using Relay.Tests.Common.Chat;
using Relay.Tests.Common.Hosts;

namespace Relay.Tests.Faults;

/// <summary>
/// kill -9 of Relay itself, as a separate process restarted on the same DataDir and ports: mid flash sale (no order
/// answered <c>reserved</c> lost or doubled at the order API, stock equal to what was sold) and while live (no ffmpeg
/// of the old instance left, the next publish works). The unit-level crash test of the outbox alone is
/// Chat/CrashRestartTests; this one is the whole product, with the built-in order API.
/// </summary>
[Trait("Category", "Faults")]
[Collection(RealFfmpegCollection.Name)]
public sealed class RelayCrashTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private sealed record ReceivedOrder(string OrderId, string Sku, int Quantity);

    [Fact]
    public async Task Kill_9_mid_flash_sale_loses_and_doubles_no_reserved_order_and_stock_matches_the_orders()
    {
        var quantity = FaultScale.Of(20);
        using var dataDir = new TempDir("relay-faults-sale");
        int httpPort = FreePort.Next(), rtmpPort = FreePort.Next();
        var hub = new Uri($"http://127.0.0.1:{httpPort}/hubs/live");
        var answered = new ConcurrentDictionary<string, int>();
        var unknown = 0;
        ChildRelay? first = null, second = null;
        try
        {
            // Each guest buys several units of the sale: lift the per-buyer caps (this test is about stock and orders).
            first = await ChildRelay.StartAsync(dataDir.Path, httpPort, rtmpPort, UncappedBuyers);
            string sku;
            await using (var seller = Hub.Build(new Uri(hub + "?access_token=" + ChildRelay.AdminToken), "json"))
            {
                await seller.StartAsync(Ct);
                var snapshot = await seller.InvokeAsync<JoinSnapshot>("Join", "demo", new JoinOptions(), Ct);
                sku = snapshot.Lineup[0].Sku;
                await seller.InvokeAsync("StartFlashSale", new FlashSaleRequest { Sku = sku, PriceCents = 500, Quantity = quantity, DurationSeconds = 600 }, Ct);
            }

            // Guests buy one at a time on 8 connections (both protocols), a purchase every 50 ms each; the guest whose
            // reservation makes half the stock kills Relay on the spot, so the others' purchases are in flight then.
            var killed = 0;
            await BuyUntilGoneAsync(hub, sku, answered, () => Interlocked.Increment(ref unknown), count =>
            {
                if (count >= quantity / 2 && Interlocked.Exchange(ref killed, 1) == 0) first.Kill();
            });
            Assert.Equal(1, killed);
            Assert.True(answered.Count < quantity, "the kill came after the sale ended; nothing was mid-way");

            second = await ChildRelay.StartAsync(dataDir.Path, httpPort, rtmpPort, UncappedBuyers);
            await BuyUntilGoneAsync(hub, sku, answered, () => Interlocked.Increment(ref unknown), _ => { });

            using var admin = ChildRelay.Admin(httpPort);
            List<ReceivedOrder> received;
            List<Buyers.ChannelOrder> relayOrders;
            var deadline = DateTime.UtcNow.AddSeconds(60);
            while (true)
            {
                relayOrders = (await admin.GetFromJsonAsync<List<Buyers.ChannelOrder>>("/api/v1/channels/demo/orders", Ct))!;
                received = (await admin.GetFromJsonAsync<List<ReceivedOrder>>("/api/v1/orders?channel=demo", JsonSerializerOptions.Web, Ct))!;
                if (relayOrders.Count > 0 && relayOrders.All(o => o.Status == "confirmed") && received.Count >= relayOrders.Count) break;
                Assert.True(DateTime.UtcNow < deadline, $"orders not all confirmed 60 s after restart: relay {string.Join(",", relayOrders.Select(o => o.Status))}, order API {received.Count}");
                await Task.Delay(100, Ct);
            }

            // Exactly once at the order API: no duplicate, every answered reservation present, nothing unknown to the relay.
            Assert.Equal(received.Count, received.Select(o => o.OrderId).Distinct().Count());
            Assert.Subset(received.Select(o => o.OrderId).ToHashSet(), answered.Keys.ToHashSet());
            Assert.Equal(relayOrders.Select(o => o.OrderId).Order(), received.Select(o => o.OrderId).Order());
            // Stock: sold out, and what was sold is exactly the quantity (a reservation lost in the crash would leave
            // stock short of orders; one counted twice would oversell).
            Assert.Equal(quantity, received.Sum(o => o.Quantity));
            await using var late = Hub.Build(hub, "json");
            await late.StartAsync(Ct);
            var after = await late.InvokeAsync<JoinSnapshot>("Join", "demo", new JoinOptions(), Ct);
            Assert.True(after.FlashSale is null || after.FlashSale.Remaining == 0, $"flash sale shows {after.FlashSale?.Remaining} left after selling out");
            TestContext.Current.TestOutputHelper?.WriteLine($"{answered.Count} answered reserved, {unknown} guests cut off by the kill, {received.Count} orders at the order API");
        }
        finally
        {
            await TestHost.DisposeAllAsync(first, second);
        }
    }

    private static readonly string[] UncappedBuyers =
        ["--Relay:Commerce:MaxUnitsPerBuyerPerSale=1000000", "--Relay:Commerce:MaxUnitsPerBuyerPerSku=1000000"];
    [Fact]
    public async Task Kill_9_while_the_order_API_answers_401_and_503_then_201_after_restart_delivers_each_order_exactly_once()
    {
        // The brand's API first refuses the relay's expired key (401, a misconfigured endpoint) for some orders and is
        // down (503) for the others; Relay is killed with every order mid-retry, and restarted with the fixed key.
        await using var api = await ScriptedOrderApi.StartAsync();
        const string FixedKey = "fixed-order-api-key-0123";
        api.Script = call => call.Authorization == "Bearer " + FixedKey ? ScriptedAnswer.Created()
            : call.Order.BuyerName.EndsWith('0') || call.Order.BuyerName.EndsWith('2') ? new ScriptedAnswer(401) : new ScriptedAnswer(503);
        using var dataDir = new TempDir("relay-faults-orders");
        int httpPort = FreePort.Next(), rtmpPort = FreePort.Next();
        var hub = new Uri($"http://127.0.0.1:{httpPort}/hubs/live");
        string[] Orders(string key) =>
        [
            $"--Relay:Orders:Endpoint={api.Endpoint}", $"--Relay:Orders:ApiKey={key}", "--Relay:Orders:MaxAttempts=1000",
            "--Relay:Orders:InitialBackoffMilliseconds=50", "--Relay:Orders:MaxBackoffSeconds=0.5",
        ];
        ChildRelay? first = null, second = null;
        try
        {
            first = await ChildRelay.StartAsync(dataDir.Path, httpPort, rtmpPort, Orders("expired-order-api-key"));
            using var admin = ChildRelay.Admin(httpPort);
            // Exported from the very first scrape, at 0, so increase() sees the first misconfigured answer.
            var firstScrape = await admin.GetStringAsync("/metrics", Ct);
            Assert.Contains("# TYPE relay_order_api_misconfigured_total counter", firstScrape);
            Assert.Equal(0, MetricValue(firstScrape, "relay_order_api_misconfigured_total"));

            var reserved = new List<string>();
            await using (var seller = Hub.Build(new Uri(hub + "?access_token=" + ChildRelay.AdminToken), "json"))
            {
                await seller.StartAsync(Ct);
                var snapshot = await seller.InvokeAsync<JoinSnapshot>("Join", "demo", new JoinOptions(), Ct);
                await seller.InvokeAsync("StartFlashSale", new FlashSaleRequest { Sku = snapshot.Lineup[0].Sku, PriceCents = 500, Quantity = 4, DurationSeconds = 600 }, Ct);
                for (var i = 0; i < 4; i++)
                {
                    await using var guest = Hub.Build(hub, i % 2 == 0 ? "json" : "messagepack");
                    await guest.StartAsync(Ct);
                    await guest.InvokeAsync<JoinSnapshot>("Join", "demo", new JoinOptions { DisplayName = $"guest{i}" }, Ct);
                    var result = await guest.InvokeAsync<PurchaseResult>("Purchase", new PurchaseRequest { Sku = snapshot.Lineup[0].Sku, Quantity = 1, IdempotencyKey = "k" }, Ct);
                    Assert.Equal(PurchaseStatus.Reserved, result.Status);
                    reserved.Add(result.OrderId!);
                }
            }

            // Kill only once every order was refused at least twice, and none of them was failed or released.
            var deadline = DateTime.UtcNow.AddSeconds(30);
            while (!reserved.All(id => api.Attempts.GetValueOrDefault(id) >= 2))
            {
                Assert.True(DateTime.UtcNow < deadline, "orders never reached the order API: " + string.Join(", ", reserved.Select(id => $"{id}={api.Attempts.GetValueOrDefault(id)}")));
                await Task.Delay(20, Ct);
            }
            var beforeKill = (await admin.GetFromJsonAsync<List<Buyers.ChannelOrder>>("/api/v1/channels/demo/orders", Ct))!;
            Assert.All(beforeKill, o => Assert.Equal("pending", o.Status));
            Assert.Contains(beforeKill, o => o.LastError?.Contains("401") == true);
            Assert.Contains(beforeKill, o => o.LastError == "HTTP 503");
            Assert.True(MetricValue(await admin.GetStringAsync("/metrics", Ct), "relay_order_api_misconfigured_total") >= 2);
            first.Kill();

            var postsBeforeKill = reserved.Sum(id => api.Attempts.GetValueOrDefault(id));
            var restarted = Stopwatch.StartNew();
            second = await ChildRelay.StartAsync(dataDir.Path, httpPort, rtmpPort, Orders(FixedKey));
            List<Buyers.ChannelOrder> orders;
            deadline = DateTime.UtcNow.AddSeconds(30);
            while (true)
            {
                orders = (await admin.GetFromJsonAsync<List<Buyers.ChannelOrder>>("/api/v1/channels/demo/orders", Ct))!;
                if (orders.Count == 4 && orders.All(o => o.Status == "confirmed")) break;
                Assert.True(DateTime.UtcNow < deadline, "not all orders confirmed after restart: " + string.Join(", ", orders.Select(o => $"{o.Status}/{o.LastError}")));
                await Task.Delay(50, Ct);
            }

            TestContext.Current.TestOutputHelper?.WriteLine(
                $"{postsBeforeKill} POSTs refused (401/503) before the kill; all 4 orders confirmed {restarted.Elapsed.TotalSeconds:F1} s after the restart began, {reserved.Sum(id => api.Attempts[id]) - postsBeforeKill} POSTs after it");
            // Exactly once in effect: each reserved order created once by the order API, nothing else.
            Assert.Equal(reserved.Order(), api.Taken.Keys.Order());
            Assert.All(reserved, id => Assert.Equal(1, api.Taken[id]));
            await using var late = Hub.Build(hub, "json");
            await late.StartAsync(Ct);
            var after = await late.InvokeAsync<JoinSnapshot>("Join", "demo", new JoinOptions(), Ct);
            Assert.True(after.FlashSale is null || after.FlashSale.Remaining == 0, $"flash sale shows {after.FlashSale?.Remaining} left after selling out");
        }
        finally
        {
            await TestHost.DisposeAllAsync(first, second);
        }
    }

    private static double MetricValue(string scrape, string name)
    {
        var match = System.Text.RegularExpressions.Regex.Match(scrape, $@"^{name} (\S+)$", System.Text.RegularExpressions.RegexOptions.Multiline);
        Assert.True(match.Success, $"{name} not in the scrape");
        return double.Parse(match.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture);
    }

    /// <summary>Eight guests buy one unit at a time until the sale says no more, or until the relay is gone.</summary>
    private static async Task BuyUntilGoneAsync(Uri hub, string sku, ConcurrentDictionary<string, int> answered, Action inFlightAtDeath, Action<int> afterReserved)
    {
        await Task.WhenAll(Enumerable.Range(0, 8).Select(async g =>
        {
            await using var guest = Hub.Build(hub, g % 2 == 0 ? "json" : "messagepack");
            try
            {
                await guest.StartAsync(Ct);
                await guest.InvokeAsync<JoinSnapshot>("Join", "demo", new JoinOptions { DisplayName = $"guest{g}" }, Ct);
                for (var i = 0; ; i++)
                {
                    var result = await guest.InvokeAsync<PurchaseResult>("Purchase", new PurchaseRequest { Sku = sku, Quantity = 1, IdempotencyKey = $"{Guid.NewGuid():N}" }, Ct);
                    if (result.Status == PurchaseStatus.Reserved)
                    {
                        Assert.True(answered.TryAdd(result.OrderId!, 1), $"order id {result.OrderId} answered twice");
                        afterReserved(answered.Count);
                        await Task.Delay(50, Ct);
                        continue;
                    }

                    if (result.Status is PurchaseStatus.SoldOut or PurchaseStatus.NotOnSale) return;
                    Assert.Fail($"unexpected purchase answer {result.Status} {result.Reason}");
                }
            }
            catch (Exception ex) when (ex is HttpRequestException or IOException or TaskCanceledException or InvalidOperationException
                                           or System.Net.WebSockets.WebSocketException or Microsoft.AspNetCore.SignalR.HubException)
            {
                // The relay died under this guest: its last purchase may or may not have been reserved.
                inFlightAtDeath();
            }
        }));
    }

    [Fact]
    public async Task Kill_9_while_live_leaves_no_ffmpeg_of_the_old_instance_after_restart_and_the_next_publish_is_live()
    {
        FfmpegAvailability.SkipIfMissing();
        using var dataDir = new TempDir("relay-faults-live");
        int httpPort = FreePort.Next(), rtmpPort = FreePort.Next();
        var marker = ChildRelay.OwnerMarker(dataDir.Path);
        ChildRelay? first = null, second = null;
        FfmpegPublisher? publisher = null;
        try
        {
            // About reaping the ffmpeg children of a killed instance: the live channel's HLS packager is one.
            first = await ChildRelay.StartAsync(dataDir.Path, httpPort, rtmpPort, "--Relay:Hls:Enabled=true");
            using var admin = ChildRelay.Admin(httpPort);
            var key = (await admin.GetFromJsonAsync<JsonElement>("/api/v1/channels/demo/stream-key", Ct)).GetProperty("streamKey").GetString()!;
            publisher = FfmpegPublisher.Start($"rtmp://127.0.0.1:{rtmpPort}/live/{key}", seconds: 60);
            await WaitLiveAsync(admin, live: true);
            // The packager starts when the channel goes live, on its own task: wait for it.
            var oldChildren = ChildProcesses.WithOwnerMarker(marker);
            var started = DateTime.UtcNow.AddSeconds(10);
            while (oldChildren.Count == 0 && DateTime.UtcNow < started)
            {
                await Task.Delay(100, Ct);
                oldChildren = ChildProcesses.WithOwnerMarker(marker);
            }

            Assert.NotEmpty(oldChildren);

            // Left alone, the packager would die of its closed stdin a moment after its parent, which would let this test pass without any reaping. Stopped, it stands for a child that
            // did not notice (blocked in a write, a stuck egress): only the restarted Relay can remove it.
            foreach (var pid in oldChildren) Signal("STOP", pid);
            first.Kill();
            publisher.Dispose();
            await Task.Delay(500, Ct);
            var orphansAfterKill = oldChildren.Where(IsAlive).ToList();
            Assert.NotEmpty(orphansAfterKill);

            second = await ChildRelay.StartAsync(dataDir.Path, httpPort, rtmpPort, "--Relay:Hls:Enabled=true");
            var deadline = DateTime.UtcNow.AddSeconds(10);
            while (oldChildren.Any(IsAlive))
            {
                Assert.True(DateTime.UtcNow < deadline, $"ffmpeg of the killed instance still running after restart: {string.Join(",", oldChildren.Where(IsAlive))}");
                await Task.Delay(100, Ct);
            }

            Assert.Empty(ChildProcesses.WithOwnerMarker(marker));
            publisher = FfmpegPublisher.Start($"rtmp://127.0.0.1:{rtmpPort}/live/{key}", seconds: 60);
            await WaitLiveAsync(admin, live: true);
            Assert.False(publisher.HasExited, publisher.Stderr);
            TestContext.Current.TestOutputHelper?.WriteLine($"old children {string.Join(",", oldChildren)}; alive right after the kill: {string.Join(",", orphansAfterKill)}");
        }
        finally
        {
            publisher?.Dispose();
            try
            {
                await TestHost.DisposeAllAsync(first, second);
            }
            finally
            {
                // Whatever escaped both instances (a failing run) must not outlive the test.
                foreach (var pid in ChildProcesses.WithOwnerMarker(marker))
                {
                    try { Process.GetProcessById(pid).Kill(); } catch (Exception ex) when (ex is ArgumentException or InvalidOperationException) { }
                }
            }
        }
    }

    private static void Signal(string signal, int pid)
    {
        using var kill = Process.Start(new ProcessStartInfo("kill", $"-{signal} {pid}") { UseShellExecute = false })!;
        kill.WaitForExit(5000);
    }

    private static bool IsAlive(int pid)
    {
        try
        {
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            return !stat.Contains(") Z ", StringComparison.Ordinal);
        }
        catch (IOException)
        {
            return false;
        }
    }

    private static async Task WaitLiveAsync(HttpClient admin, bool live)
    {
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while ((await admin.GetFromJsonAsync<JsonElement>("/api/v1/channels/demo", Ct)).GetProperty("live").GetBoolean() != live)
        {
            Assert.True(DateTime.UtcNow < deadline, $"demo did not become {(live ? "live" : "offline")} within 20 s");
            await Task.Delay(100, Ct);
        }
    }
}
