using Microsoft.AspNetCore.SignalR.Client;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using Relay.Chat.Contracts;
using Relay.Tests.Common;
using Relay.Tests.Common.Browser;
using Relay.Tests.Common.Hosts;

namespace Relay.Tests.EndToEnd.Browser;

/// <summary>Issue 16 on a phone-sized watch page in a real headless chromium: the viewer taps the heart (batched likes,
/// the room's total shown), enters a draw the host started over the hub, and sees the winners with the verify link, in
/// English and in Chinese (nothing English left on the Chinese page but the demo channel's own title and product name).</summary>
public sealed class WatchEngagementBrowserTests
{
    public static readonly TheoryData<string, string> Languages = new() { { "en", "Ann" }, { "zh-CN", "小明" } };

    [Theory, MemberData(nameof(Languages))]
    public async Task A_phone_viewer_likes_enters_a_draw_and_sees_the_winners(string locale, string name)
    {
        ChromiumSession.SkipIfMissing();
        var ct = TestContext.Current.CancellationToken;
        await using var server = await RelayTestServer.StartAsync();
        await using var chromium = await ChromiumSession.StartAsync();
        var demo = server.Channels.Find("demo")!;
        await using var host = new HubConnectionBuilder()
            .WithUrl(new Uri(server.BaseAddress, "/hubs/live"), o => o.AccessTokenProvider = () => Task.FromResult<string?>(demo.HostKey))
            .AddMessagePackProtocol().Build();
        long hostLikes = 0;
        host.On<LikesEvent>("likes", e => Interlocked.Exchange(ref hostLikes, e.Total));
        await host.StartAsync(ct);
        await host.InvokeAsync<JoinSnapshot>("Join", "demo", new JoinOptions(), ct);

        var page = await chromium.NewPageAsync(server.BaseAddress, 390, 844, mobile: true, locale: locale);
        await page.GotoAsync("/watch/demo");
        await page.EvaluateAsync("name => localStorage.setItem('relay.displayName', name)", name);
        await page.ReloadAsync();

        // Seven quick taps: batched (one call per 250 ms at most), the room's total comes back.
        var like = page.Locator("#like");
        for (var i = 0; i < 7; i++) await like.ClickAsync();
        await Assertions.Expect(page.Locator("#likes-total")).ToHaveTextAsync("7");
        await Eventually.TrueAsync(() => Task.FromResult(Interlocked.Read(ref hostLikes) == 7), "the host hears 7 likes", TimeSpan.FromSeconds(10), ct);

        await host.InvokeAsync("StartDraw", new DrawRequest { Sku = "MUG-002", Winners = 1, DurationSeconds = 10 }, ct);
        await Assertions.Expect(page.Locator("#draw-card")).ToBeVisibleAsync();
        await page.Locator("#draw-enter").ClickAsync();
        await Assertions.Expect(page.Locator("#draw-entered")).ToBeVisibleAsync();
        if (locale != "en") await VisibleText.AssertNoEnglishAsync(page, "Stream-proof mug", "Relay demo show");

        await Assertions.Expect(page.Locator("#draw-winners")).ToContainTextAsync(name, new() { Timeout = 25_000 });
        var href = await page.Locator(".draw-verify").GetAttributeAsync("href");
        Assert.Matches("^/api/v1/channels/demo/draws/dr_[0-9a-f]+$", href);
        if (locale != "en") await VisibleText.AssertNoEnglishAsync(page, "Stream-proof mug", "Relay demo show");
        Assert.Empty(chromium.PageErrors);
    }
}
