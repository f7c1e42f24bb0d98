using Microsoft.AspNetCore.SignalR.Client;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using Relay.Chat.Contracts;
using Relay.Tests.Common.Chat;
using Relay.Tests.Common.Hosts;

namespace Relay.Tests.Integration.Chat;

/// <summary>Mutes, slow mode, rate limits and flash-sale ends all run on the injected TimeProvider.</summary>
public sealed class ModerationClockTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Mutes_slow_mode_rate_limits_and_flash_sales_expire_with_the_clock()
    {
        var clock = new FakeTimeProvider(new DateTimeOffset(2026, 11, 22, 20, 0, 0, TimeSpan.Zero));
        await using var host = await ChatTestHost.StartAsync(new Dictionary<string, string?>
        {
            ["Relay:Chat:RateLimitMessages"] = "2",
            ["Relay:Chat:RateLimitWindowSeconds"] = "10",
        }, services: s => s.AddSingleton<TimeProvider>(clock));
        await using var seller = await Buyers.JoinedAsync(host, "json", ChatTestHost.HostKey);
        await using var viewer = host.Connect("json");
        var sales = new EventInbox<FlashSaleView>(viewer, "flashSale");
        await viewer.StartAsync(Ct);
        var me = await viewer.InvokeAsync<JoinSnapshot>("Join", ChatTestHost.Channel, new JoinOptions(), Ct);
        Task Say(string text) => viewer.InvokeAsync("SendMessage", text, Ct);

        await seller.InvokeAsync("Mute", me.You.UserId, 60, Ct);
        clock.Advance(TimeSpan.FromSeconds(59));
        var muted = await ChatHubTests.Refused("muted", () => Say("now?"));
        Assert.Equal("muted: 1 s left", muted.Message);
        clock.Advance(TimeSpan.FromSeconds(2));
        await Say("free again");

        await Say("second");
        Assert.Equal("rate_limited: wait 5 s", (await ChatHubTests.Refused("rate_limited", () => Say("third"))).Message);
        clock.Advance(TimeSpan.FromSeconds(5));
        await Say("refilled");

        await seller.InvokeAsync("SetSlowMode", 30, Ct);
        clock.Advance(TimeSpan.FromSeconds(20));
        Assert.Equal("slow_mode: wait 10 s", (await ChatHubTests.Refused("slow_mode", () => Say("too soon"))).Message);
        clock.Advance(TimeSpan.FromSeconds(10));
        await Say("patient");

        await seller.InvokeAsync("StartFlashSale", new FlashSaleRequest { Sku = "LIP-1", PriceCents = 100, Quantity = 5, DurationSeconds = 30 }, Ct);
        var started = await sales.NextAsync();
        Assert.Equal(clock.GetUtcNow().AddSeconds(30).UtcDateTime, started.EndsAt);
        Assert.Equal(PurchaseStatus.Reserved, (await viewer.BuyAsync("LIP-1", 1, "a")).Status);
        clock.Advance(TimeSpan.FromSeconds(31));
        Assert.False((await sales.NextAsync()).Active);
        // Over: the next purchase is at the list price, not the sale's (the order shows which).
        Assert.Equal(PurchaseStatus.Reserved, (await viewer.BuyAsync("LIP-1", 1, "b")).Status);
    }

    [Fact]
    public async Task A_new_lineup_resets_stock_and_drops_a_pin_on_a_removed_product()
    {
        var directory = ChatTestHost.DefaultDirectory();
        await using var host = await ChatTestHost.StartAsync(directory: directory);
        await using var seller = await Buyers.JoinedAsync(host, "messagepack", ChatTestHost.HostKey);
        await using var viewer = await Buyers.JoinedAsync(host, "messagepack");
        var unpinned = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        viewer.On<UnpinnedEvent>("unpinned", _ => unpinned.TrySetResult());
        var stock = new EventInbox<StockEvent>(viewer, "stock");
        await seller.InvokeAsync("Pin", "SER-1", Ct);
        Assert.Equal(PurchaseStatus.Reserved, (await viewer.BuyAsync("SER-1", 5, "all")).Status);
        Assert.Equal(0, (await stock.NextMatchingAsync(s => s.Sku == "SER-1" && s.Remaining == 0)).Remaining);

        // The server stores the line-up, then tells the room.
        var lineup = new[] { ChatTestHost.Lipstick with { Stock = 7 }, new Relay.Chat.Channels.LineupItem("NEW-1", "New", 100, "EUR", null, 3) };
        directory.Add(ChatTestHost.Channel, ChatTestHost.HostKey, lineup);
        await host.Services.GetRequiredService<Relay.Chat.Channels.ILiveRoomControl>().LineupChangedAsync(ChatTestHost.Channel, lineup, resetStock: false, Ct);

        await unpinned.Task.WaitAsync(TimeSpan.FromSeconds(10), Ct);
        Assert.Equal(7, (await stock.NextMatchingAsync(s => s.Sku == "LIP-1")).Remaining);
        var snapshot = await viewer.InvokeAsync<JoinSnapshot>("Join", ChatTestHost.Channel, new JoinOptions(), Ct);
        Assert.Null(snapshot.Pinned);
        Assert.Equal([("LIP-1", (int?)7), ("NEW-1", 3)], snapshot.Lineup.Select(p => (p.Sku, p.Stock)));
        Assert.Equal(PurchaseStatus.NotOnSale, (await viewer.BuyAsync("SER-1", 1, "gone")).Status);
    }
}
