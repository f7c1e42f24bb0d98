using System.Globalization;
using Microsoft.AspNetCore.SignalR.Client;
using Microsoft.Playwright;
using Relay.Chat.Contracts;
using Relay.Tests.Common.Browser;
using Relay.Tests.Common.Hosts;
using Relay.Tests.Common.Media;

namespace Relay.Tests.EndToEnd.Browser;

/// <summary>
/// Media-time cues on the watch page (docs/pages.md, "Cues"): two viewers in Chromium, one at live and one whose HTTP-FLV
/// reaches it 6 s late through a delaying proxy (its hub connection is not delayed, so the `pinned` event reaches both at
/// once). The host pins, then starts a flash sale; the live viewer's card and sale banner show at once, the late viewer's
/// only when its picture reaches the moment the host acted: about 6 s later, not before.
/// </summary>
[Collection(RealFfmpegCollection.Name)]
public sealed class CueBrowserTests
{
    private static readonly TimeSpan Lag = TimeSpan.FromSeconds(6);

    [Fact]
    public async Task A_viewer_six_seconds_behind_sees_the_pin_and_the_sale_when_its_picture_reaches_them()
    {
        FfmpegAvailability.SkipIfMissing();
        ChromiumSession.SkipIfMissing();
        var ct = TestContext.Current.CancellationToken;
        await using var server = await RelayTestServer.StartAsync("--Relay:Hls:Enabled=false", "--Relay:Recording:Enabled=false");
        await using var chromium = await ChromiumSession.StartAsync();
        await using var proxy = DelayedFlvProxy.Start(server.BaseAddress, Lag);
        var demo = server.Channels.Find("demo")!;
        using var publisher = FfmpegPublisher.Start($"rtmp://127.0.0.1:{server.RtmpPort}/live/{demo.StreamKey}", seconds: 90);
        await PagesBrowserTests.WaitForLiveAsync(server, ct);

        var live = await chromium.NewPageAsync(server.BaseAddress, 390, 844, mobile: true);
        var behind = await chromium.NewPageAsync(proxy.BaseAddress, 390, 844, mobile: true);
        foreach (var page in new[] { live, behind })
        {
            await page.GotoAsync("/watch/demo");
            await page.WaitForFunctionAsync("() => document.querySelector('#video').currentTime > 2", null, new() { Timeout = 30_000 });
            await Assertions.Expect(page.Locator("#product")).ToBeHiddenAsync();
            // Notes when the card and the sale banner first show, on the machine's clock the test acts by.
            await page.EvaluateAsync("""
                () => { for (const [id, key] of [['#product', 'cardShownAt'], ['#sale-banner', 'saleShownAt']]) {
                  window[key] = null; const node = document.querySelector(id);
                  new MutationObserver(() => { if (!node.hidden && window[key] === null) window[key] = Date.now(); })
                    .observe(node, { attributes: true }); } }
                """);
        }

        await using var host = new HubConnectionBuilder()
            .WithUrl(new Uri(server.BaseAddress, "/hubs/live"), o => o.AccessTokenProvider = () => Task.FromResult<string?>(demo.HostKey)).Build();
        await host.StartAsync(ct);
        await host.InvokeAsync<JoinSnapshot>("Join", "demo", new JoinOptions { DisplayName = "Host" }, ct);
        var pinnedAt = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        await host.InvokeAsync("Pin", "MUG-002", ct);

        await Assertions.Expect(live.Locator("#product-title")).ToHaveTextAsync("Stream-proof mug");
        // Held, not lost: hidden well into the lag, then shown with the picture.
        await Task.Delay(Lag - TimeSpan.FromSeconds(2), ct);
        Assert.True(await behind.Locator("#product").IsHiddenAsync(), "the late viewer's card waits for its picture");
        await Assertions.Expect(behind.Locator("#product-title")).ToHaveTextAsync("Stream-proof mug", new() { Timeout = 15_000 });

        var liveDelay = await live.EvaluateAsync<long>("() => window.cardShownAt") - pinnedAt;
        var behindDelay = await behind.EvaluateAsync<long>("() => window.cardShownAt") - pinnedAt;
        var behindBuffer = await behind.EvaluateAsync<double>("() => { const v = document.querySelector('#video'); return v.buffered.end(v.buffered.length - 1) - v.currentTime; }");

        // A flash sale's start waits for the picture the same way.
        var saleAt = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        await host.InvokeAsync("StartFlashSale", new FlashSaleRequest { Sku = "MUG-002", PriceCents = 900, Quantity = 5, DurationSeconds = 120 }, ct);
        await Assertions.Expect(live.Locator("#sale-banner")).ToBeVisibleAsync();
        await Task.Delay(Lag - TimeSpan.FromSeconds(2), ct);
        Assert.True(await behind.Locator("#sale-banner").IsHiddenAsync(), "the late viewer's sale waits for its picture");
        await Assertions.Expect(behind.Locator("#sale-banner")).ToBeVisibleAsync(new() { Timeout = 15_000 });
        var liveSaleDelay = await live.EvaluateAsync<long>("() => window.saleShownAt") - saleAt;
        var behindSaleDelay = await behind.EvaluateAsync<long>("() => window.saleShownAt") - saleAt;

        var report = string.Create(CultureInfo.InvariantCulture,
            $"shown after the host acted: pin card: live viewer {liveDelay} ms, viewer behind by {Lag.TotalMilliseconds:0} ms {behindDelay} ms (its player buffer {behindBuffer * 1000:0} ms); sale banner: {liveSaleDelay} ms, {behindSaleDelay} ms");
        TestContext.Current.TestOutputHelper?.WriteLine(report);
        Console.WriteLine(report);
        // The lag, plus what the late player holds in its buffer and the picture's own distance to live (a GOP at most).
        foreach (var (atLive, late) in new[] { (liveDelay, behindDelay), (liveSaleDelay, behindSaleDelay) })
        {
            Assert.InRange(atLive, 0, 2500);
            Assert.InRange(late, (long)Lag.TotalMilliseconds - 500, (long)Lag.TotalMilliseconds + 3000);
        }
        Assert.Empty(chromium.PageErrors);
    }
}
