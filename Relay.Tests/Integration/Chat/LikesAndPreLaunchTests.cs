using System.Diagnostics;
using HubException = Microsoft.AspNetCore.SignalR.HubException;
using Microsoft.AspNetCore.SignalR.Client;
using Relay.Chat.Contracts;
using Relay.Tests.Common;
using Relay.Tests.Common.Chat;
using Relay.Tests.Common.Hosts;

namespace Relay.Tests.Integration.Chat;

/// <summary>Issue 16: `Like(count)` aggregated and paced per room, durable across a restart; flash-sale pre-launch.</summary>
public sealed class LikesAndPreLaunchTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Theory, MemberData(nameof(Hub.Protocols), MemberType = typeof(Hub))]
    public async Task Two_thousand_taps_from_20_clients_give_the_exact_total_in_at_most_4_likes_events_a_second(string protocol)
    {
        var dataDir = Directory.CreateTempSubdirectory("relay-likes-").FullName;
        try
        {
            await using (var host = await ChatTestHost.StartAsync(dataDir: dataDir))
            {
                await using var observer = await Buyers.JoinedAsync(host, protocol, name: "observer");
                var likes = new List<(long Total, TimeSpan At)>();
                var clock = Stopwatch.StartNew();
                observer.On<LikesEvent>("likes", e => { lock (likes) likes.Add((e.Total, clock.Elapsed)); });
                var clients = await Task.WhenAll(Enumerable.Range(0, 20).Select(i => Buyers.JoinedAsync(host, protocol, name: $"fan{i}")));
                try
                {
                    // Each client taps 100 times, sent as the watch page does: a batch every 250 ms (10 batches of 10).
                    await Task.WhenAll(clients.Select(async c =>
                    {
                        for (var batch = 0; batch < 10; batch++)
                        {
                            await c.InvokeAsync("Like", 10, Ct);
                            await Task.Delay(250, Ct);
                        }
                    }));
                    await Eventually.TrueAsync(() => { lock (likes) return Task.FromResult(likes.Count > 0 && likes[^1].Total == 2000); }, "the final likes total",
                        TimeSpan.FromSeconds(10), Ct);
                    await Task.Delay(600, Ct);
                    List<(long Total, TimeSpan At)> seen;
                    lock (likes) seen = [.. likes];
                    Assert.Equal(2000, seen[^1].Total);
                    Assert.True(seen.Zip(seen.Skip(1)).All(p => p.Second.Total >= p.First.Total), "the total never goes back");
                    var span = (seen[^1].At - seen[0].At).TotalSeconds;
                    TestContext.Current.TestOutputHelper?.WriteLine($"{seen.Count} likes events over {span:F2} s");
                    // At most 4 a second: n events need at least (n - 1) x 250 ms (a little slack for delivery jitter).
                    Assert.True(seen.Count - 1 <= span * 4 + 1, $"{seen.Count} likes events in {span:F2} s");

                    var late = await Buyers.JoinedAsync(host, protocol, name: "late");
                    var snapshot = await late.InvokeAsync<JoinSnapshot>("Join", ChatTestHost.Channel, new JoinOptions(), Ct);
                    Assert.Equal(2000, snapshot.Likes);
                    await late.DisposeAsync();
                }
                finally
                {
                    await Task.WhenAll(clients.Select(c => c.DisposeAsync().AsTask()));
                }
            }

            // A restart keeps the channel's total.
            await using (var again = await ChatTestHost.StartAsync(dataDir: dataDir))
            {
                await using var viewer = await Buyers.JoinedAsync(again, protocol);
                var snapshot = await viewer.InvokeAsync<JoinSnapshot>("Join", ChatTestHost.Channel, new JoinOptions(), Ct);
                Assert.Equal(2000, snapshot.Likes);
                var next = new EventInbox<LikesEvent>(viewer, "likes");
                await viewer.InvokeAsync("Like", 5, Ct);
                Assert.Equal(2005, (await next.NextAsync()).Total);
            }
        }
        finally
        {
            try { Directory.Delete(dataDir, recursive: true); } catch (IOException) { }
        }
    }

    [Theory, MemberData(nameof(Hub.Protocols), MemberType = typeof(Hub))]
    public async Task Bad_like_counts_are_refused_and_a_flood_is_rate_limited(string protocol)
    {
        await using var host = await ChatTestHost.StartAsync();
        await using var viewer = await Buyers.JoinedAsync(host, protocol);
        Assert.StartsWith("invalid", (await Assert.ThrowsAsync<HubException>(() => viewer.InvokeAsync("Like", 0, Ct))).Message);
        Assert.StartsWith("invalid", (await Assert.ThrowsAsync<HubException>(() => viewer.InvokeAsync("Like", 51, Ct))).Message);
        var refused = 0;
        for (var i = 0; i < 15; i++)
        {
            try { await viewer.InvokeAsync("Like", 1, Ct); }
            catch (HubException e) when (e.Message.StartsWith("rate_limited", StringComparison.Ordinal)) { refused++; }
        }
        Assert.True(refused > 0, "a flood of Like calls from one connection is rate limited");
        await using var other = host.Connect(protocol);
        await other.StartAsync(Ct);
        Assert.StartsWith("not_joined", (await Assert.ThrowsAsync<HubException>(() => other.InvokeAsync("Like", 1, Ct))).Message);
    }

    [Theory, MemberData(nameof(Hub.Protocols), MemberType = typeof(Hub))]
    public async Task An_announced_flash_sale_refuses_purchases_until_it_starts_then_sells(string protocol)
    {
        await using var host = await ChatTestHost.StartAsync();
        await using var seller = await Buyers.JoinedAsync(host, protocol, ChatTestHost.HostKey);
        await using var buyer = await Buyers.JoinedAsync(host, protocol, name: "early");
        var sales = new EventInbox<FlashSaleView>(buyer, "flashSale");

        var invalid = await Assert.ThrowsAsync<HubException>(() => seller.InvokeAsync("StartFlashSale",
            new FlashSaleRequest { Sku = "LIP-1", PriceCents = 999, Quantity = 5, DurationSeconds = 60, StartsInSeconds = 5 }, Ct));
        Assert.StartsWith("invalid", invalid.Message);
        Assert.Empty(sales.All);

        var before = DateTime.UtcNow;
        await seller.InvokeAsync("StartFlashSale", new FlashSaleRequest { Sku = "LIP-1", PriceCents = 999, Quantity = 5, DurationSeconds = 60, StartsInSeconds = 10 }, Ct);
        var announced = await sales.NextAsync();
        Assert.NotNull(announced.StartsAt);
        Assert.InRange(announced.StartsAt!.Value, before.AddSeconds(9), DateTime.UtcNow.AddSeconds(11));
        Assert.Equal(announced.StartsAt.Value.AddSeconds(60), announced.EndsAt);

        var early = await buyer.BuyAsync("LIP-1", 1, "early-1");
        Assert.Equal(PurchaseStatus.NotOnSale, early.Status);
        Assert.StartsWith("the flash sale starts in", early.Reason);
        var snapshot = await buyer.InvokeAsync<JoinSnapshot>("Join", ChatTestHost.Channel, new JoinOptions(), Ct);
        Assert.Equal(announced.StartsAt, snapshot.FlashSale!.StartsAt);

        var wait = announced.StartsAt.Value - DateTime.UtcNow + TimeSpan.FromMilliseconds(300);
        if (wait > TimeSpan.Zero) await Task.Delay(wait, Ct);
        var onTime = await buyer.BuyAsync("LIP-1", 1, "on-time-1");
        Assert.Equal(PurchaseStatus.Reserved, onTime.Status);
        var orders = await Buyers.ChannelOrdersAsync(host);
        Assert.Single(orders);
        Assert.True(orders[0].FlashSale);
        Assert.Equal(999, orders[0].UnitPriceCents);
    }
}
