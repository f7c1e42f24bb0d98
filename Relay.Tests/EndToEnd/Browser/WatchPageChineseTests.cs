using System.Net;
using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.SignalR.Client;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using Relay.Chat.Contracts;
using Relay.Ingest.Consumers.Recording;
using Relay.Tests.Common;
using Relay.Tests.Common.Browser;
using Relay.Tests.Common.Hosts;
using Relay.Tests.Common.Media;
using Relay.Tests.Integration.Hls;

namespace Relay.Tests.EndToEnd.Browser;

/// <summary>
/// A viewer whose phone is set to Chinese watches a live show from start to replay: ffmpeg publishes, a host hub
/// connection pins, runs a flash sale and chats, the viewer chats and buys. At every stage nothing English is left on
/// the page (only what the test itself created: none, the channel and its products are Chinese), money is what Intl
/// writes in zh-CN, and the layout fits a phone and a laptop.
/// </summary>
[Collection(RealFfmpegCollection.Name)]
public sealed class WatchPageChineseTests
{
    private const int PhoneWidth = 390, PhoneHeight = 844;

    [Fact]
    public async Task A_viewer_in_chinese_watches_chats_buys_and_is_refused_in_chinese_and_the_replay_is_chinese_too()
    {
        FfmpegAvailability.SkipIfMissing();
        ChromiumSession.SkipIfMissing();
        var ct = TestContext.Current.CancellationToken;
        await using var server = await RelayTestServer.StartAsync();
        await using var chromium = await ChromiumSession.StartAsync();
        using var admin = server.AdminClient();

        var created = await admin.PostAsync("/api/v1/channels", RelayServerTest.JsonBody("""{"id":"tea","title":"春茶专场"}"""), ct);
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var channel = JsonDocument.Parse(await created.Content.ReadAsStringAsync(ct)).RootElement;
        var (streamKey, hostKey) = (channel.GetProperty("streamKey").GetString()!, channel.GetProperty("hostKey").GetString()!);
        var lineup = await admin.PutAsync("/api/v1/channels/tea/lineup", RelayServerTest.JsonBody("""
            [{"sku":"TEA-01","title":"明前龙井礼盒","priceCents":12800,"currency":"CNY","stock":30},
             {"sku":"CUP-02","title":"青瓷茶杯","priceCents":3900,"currency":"CNY","stock":8}]
            """), ct);
        Assert.Equal(HttpStatusCode.OK, lineup.StatusCode);

        // Offline: the phone's language decides the page's.
        var page = await chromium.NewPageAsync(server.BaseAddress, PhoneWidth, PhoneHeight, mobile: true, locale: "zh-CN");
        await page.GotoAsync("/watch/tea");
        await Assertions.Expect(page.Locator("html")).ToHaveAttributeAsync("lang", "zh-CN");
        await Assertions.Expect(page.Locator("#title")).ToHaveTextAsync("春茶专场");
        await Assertions.Expect(page.Locator("#live-badge")).ToHaveTextAsync("未开播");
        await Assertions.Expect(page.Locator("#offline .overlay-title")).ToHaveTextAsync(new Regex("^(直播还没开始|主播暂时不在)$"));
        await Assertions.Expect(page.Locator("#viewers")).ToHaveTextAsync("1");
        await Assertions.Expect(page).ToHaveTitleAsync("春茶专场 · 直播间");
        await VisibleText.AssertNoEnglishAsync(page);
        await AssertFitsAsync(page, "offline, phone");

        // Live: ffmpeg publishes a portrait picture; the video plays by itself.
        using var publisher = FfmpegPublisher.Start($"rtmp://127.0.0.1:{server.RtmpPort}/live/{streamKey}", seconds: 90, size: "360x640");
        await Assertions.Expect(page.Locator("#live-badge")).ToHaveTextAsync("直播中", new() { Timeout = 20_000 });
        await Assertions.Expect(page.Locator("#offline")).ToBeHiddenAsync(new() { Timeout = 20_000 });
        await page.WaitForFunctionAsync("() => { const v = document.querySelector('#video'); return v.currentTime > 0.5 && !v.paused; }", null, new() { Timeout = 20_000 });
        await VisibleText.AssertNoEnglishAsync(page);

        await using var host = new HubConnectionBuilder()
            .WithUrl(new Uri(server.BaseAddress, "/hubs/live"), o => o.AccessTokenProvider = () => Task.FromResult<string?>(hostKey))
            .AddMessagePackProtocol().Build();
        await host.StartAsync(ct);
        await host.InvokeAsync<JoinSnapshot>("Join", "tea", new JoinOptions { DisplayName = "茶小二" }, ct);

        // The product card: the price as Intl writes yuan in zh-CN.
        await host.InvokeAsync("Pin", "TEA-01", ct);
        await Assertions.Expect(page.Locator("#product-title")).ToHaveTextAsync("明前龙井礼盒");
        var yuan128 = await page.EvaluateAsync<string>("() => new Intl.NumberFormat('zh-CN', { style: 'currency', currency: 'CNY' }).format(128)");
        Assert.Equal("¥128.00", yuan128);
        await Assertions.Expect(page.Locator("#product-price")).ToHaveTextAsync(yuan128);
        await Assertions.Expect(page.Locator("#product-stock")).ToHaveTextAsync("库存 30 件");
        await Assertions.Expect(page.Locator("#buy")).ToHaveTextAsync("立即购买");
        await VisibleText.AssertNoEnglishAsync(page);

        // A flash sale: sale price, struck regular price, countdown, what is left at that price.
        await host.InvokeAsync("StartFlashSale", new FlashSaleRequest { Sku = "TEA-01", PriceCents = 9900, Quantity = 3, DurationSeconds = 120 }, ct);
        await Assertions.Expect(page.Locator("#sale-banner")).ToBeVisibleAsync();
        await Assertions.Expect(page.Locator("#sale-banner")).ToContainTextAsync("限时秒杀");
        await Assertions.Expect(page.Locator("#product-price")).ToHaveTextAsync("¥99.00");
        await Assertions.Expect(page.Locator("#product-was")).ToHaveTextAsync("¥128.00");
        await Assertions.Expect(page.Locator("#product-stock")).ToHaveTextAsync("秒杀价仅剩 3 件（共 3 件）");
        await Assertions.Expect(page.Locator("#sale-countdown")).ToHaveTextAsync(new Regex("^0[12]:[0-5][0-9]$"));
        await Assertions.Expect(page.Locator("#buy")).ToHaveTextAsync("马上抢");
        await VisibleText.AssertNoEnglishAsync(page);
        await AssertFitsAsync(page, "flash sale, phone");

        // Chat: the first message asks for a name (in Chinese), then goes out; the host's answer carries its badge.
        await page.Locator("#chat-input").FillAsync("有礼盒装吗？");
        await page.Locator("#chat-form button[type=submit]").ClickAsync();
        await Assertions.Expect(page.Locator("#name-dialog")).ToBeVisibleAsync();
        await Assertions.Expect(page.Locator("#name-dialog-title")).ToHaveTextAsync("怎么称呼您？");
        await VisibleText.AssertNoEnglishAsync(page);
        await page.Locator("#name-input").FillAsync("小林");
        await page.Locator("#name-form button[type=submit]").ClickAsync();
        await Assertions.Expect(page.Locator("#messages li", new() { HasText = "有礼盒装吗？" }).Locator(".message-name")).ToHaveTextAsync("小林");
        await host.InvokeAsync("SendMessage", "有的，秒杀价含礼盒！", ct);
        var answer = page.Locator("#messages li", new() { HasText = "秒杀价含礼盒" });
        await Assertions.Expect(answer.Locator(".role-badge")).ToHaveTextAsync("主播");
        await VisibleText.AssertNoEnglishAsync(page);

        // Slow mode: the refusal in words, with the wait the server gave in the page's language.
        await host.InvokeAsync("SetSlowMode", 60, ct);
        await page.Locator("#chat-input").FillAsync("还有别的口味吗？");
        await page.Locator("#chat-form button[type=submit]").ClickAsync();
        await Assertions.Expect(page.Locator("#chat-status")).ToHaveTextAsync(new Regex(@"^直播间已开启慢速模式。（请 [1-6]?[0-9] 秒后再发）$"));
        await VisibleText.AssertNoEnglishAsync(page);
        await host.InvokeAsync("SetSlowMode", 0, ct);

        // Buying two: the reservation, then the confirmation, and what is left.
        await page.Locator(".qty-step[data-step='1']").ClickAsync();
        await page.Locator("#buy").ClickAsync();
        await Assertions.Expect(page.Locator("#buy-status")).ToHaveTextAsync("下单成功，感谢支持！");
        await Assertions.Expect(page.Locator("#product-stock")).ToHaveTextAsync("秒杀价仅剩 1 件（共 3 件）");
        await Assertions.Expect(page.Locator("#toasts")).ToContainTextAsync("小林 刚刚买了 2 件 明前龙井礼盒");
        await VisibleText.AssertNoEnglishAsync(page);
        var shot = await Screenshots.SaveAsync(server, page, "watch-phone-zh.png");
        Assert.True(new FileInfo(shot).Length > 10_000);
        var orders = JsonDocument.Parse(await admin.GetStringAsync("/api/v1/channels/tea/orders", ct)).RootElement;
        var order = Assert.Single(orders.EnumerateArray());
        Assert.Equal(2, order.GetProperty("quantity").GetInt32());
        Assert.Equal(await page.Locator("#buy-status").GetAttributeAsync("data-order-id"), order.GetProperty("orderId").GetString());

        // A refusal in words: a third unit is over the per-buyer flash-sale limit (2 by default).
        await page.Locator("#buy").ClickAsync();
        await Assertions.Expect(page.Locator("#buy-status")).ToHaveTextAsync("超出限购数量，请减少购买数量。");
        await Assertions.Expect(page.Locator("#buy-status")).ToHaveAttributeAsync("data-reason", new Regex("per buyer"));
        await VisibleText.AssertNoEnglishAsync(page);

        // Another buyer takes the last one: sold out, on the card and on the button.
        await using (var other = new HubConnectionBuilder().WithUrl(new Uri(server.BaseAddress, "/hubs/live")).AddMessagePackProtocol().Build())
        {
            await other.StartAsync(ct);
            await other.InvokeAsync<JoinSnapshot>("Join", "tea", new JoinOptions { DisplayName = "阿梅" }, ct);
            var bought = await other.InvokeAsync<PurchaseResult>("Purchase", new PurchaseRequest { Sku = "TEA-01", Quantity = 1, IdempotencyKey = "k-1" }, ct);
            Assert.Equal("reserved", bought.Status);
        }
        await Assertions.Expect(page.Locator("#product-stock")).ToHaveTextAsync("已售罄");
        await Assertions.Expect(page.Locator("#buy")).ToHaveTextAsync("已抢光");
        await Assertions.Expect(page.Locator("#buy")).ToBeDisabledAsync();
        await VisibleText.AssertNoEnglishAsync(page);

        // The same page on a laptop, then in English through the picker: both fit.
        await page.SetViewportSizeAsync(1280, 800);
        await AssertFitsAsync(page, "sold out, desktop");
        await page.Locator(".lang-picker").SelectOptionAsync("en");
        await Assertions.Expect(page.Locator("html")).ToHaveAttributeAsync("lang", "en");
        await Assertions.Expect(page.Locator("#buy")).ToHaveTextAsync("Sold out");
        await Assertions.Expect(page.Locator("#live-badge")).ToHaveTextAsync("Live");
        await AssertFitsAsync(page, "sold out, desktop, English");
        await page.SetViewportSizeAsync(PhoneWidth, PhoneHeight);
        await AssertFitsAsync(page, "sold out, phone, English");
        await page.GotoAsync("/watch/tea?lang=zh-CN");
        await Assertions.Expect(page.Locator("#live-badge")).ToHaveTextAsync("直播中");

        // The encoder stops: offline again, still in Chinese.
        await host.InvokeAsync("Unpin", ct);
        publisher.Dispose();
        await Assertions.Expect(page.Locator("#live-badge")).ToHaveTextAsync("未开播", new() { Timeout = 20_000 });
        await Assertions.Expect(page.Locator("#offline")).ToBeVisibleAsync();
        await VisibleText.AssertNoEnglishAsync(page);

        // The replay of that show, in Chinese: sign-in, the list, the timeline and the product on screen.
        var recordings = server.App.Services.GetRequiredService<RecordingService>();
        await HlsPlaybackTests.WaitUntilAsync(() => recordings.List("tea") is [{ InProgress: false }], TimeSpan.FromSeconds(20), "recording finalized");
        var replay = await chromium.NewPageAsync(server.BaseAddress, 1280, 800, locale: "zh-CN");
        await replay.GotoAsync("/replay/tea");
        await Assertions.Expect(replay.Locator("#login")).ToBeVisibleAsync();
        await VisibleText.AssertNoEnglishAsync(replay);
        await replay.Locator("#token-input").FillAsync("hk_not-this-channel");
        await replay.Locator("#login-form button[type=submit]").ClickAsync();
        await Assertions.Expect(replay.Locator("#login-error")).ToHaveTextAsync("这个密钥打不开本频道的录像。请使用本频道的主播密钥或管理员令牌。");
        await VisibleText.AssertNoEnglishAsync(replay);
        await replay.Locator("#token-input").FillAsync(hostKey);
        await replay.Locator("#login-form button[type=submit]").ClickAsync();
        await Assertions.Expect(replay.Locator("#recordings li")).ToHaveCountAsync(1);
        await Assertions.Expect(replay.Locator("#title")).ToHaveTextAsync("春茶专场");
        await VisibleText.AssertNoEnglishAsync(replay);
        await replay.Locator("#recordings li button").ClickAsync();
        var events = replay.Locator("#events li");
        await Assertions.Expect(events.Nth(0)).ToContainTextAsync("讲解 明前龙井礼盒");
        await Assertions.Expect(events.Nth(1)).ToContainTextAsync("限时秒杀：明前龙井礼盒，¥99.00 × 3");
        await events.Nth(1).Locator("button").ClickAsync();
        await Assertions.Expect(replay.Locator("#sale-card")).ToBeVisibleAsync();
        await Assertions.Expect(replay.Locator("#sale-quantity")).ToHaveTextAsync("秒杀价共 3 件");
        await VisibleText.AssertNoEnglishAsync(replay);
        await replay.SetViewportSizeAsync(PhoneWidth, PhoneHeight);
        await AssertFitsAsync(replay, "replay, phone");
        Assert.Empty(chromium.PageErrors);
    }

    /// <summary>
    /// The offline overlay's next show, set by the host through the API (PATCH nextShowAt): it reaches the page in the
    /// Join snapshot and, when moved while the page is open, in the `nextShow` event; the page shows the date in its
    /// language and counts down to it. The API refuses a time in the past, so the "starting soon" and "long past"
    /// states are played by a page whose Join answer is given an older time.
    /// </summary>
    [Theory]
    [InlineData("zh-CN", "下一场直播：", "^距开播还有 1 天 0[12]:[0-5][0-9]:[0-5][0-9]$", "马上开播")]
    [InlineData("en", "Next show:", "^Starts in 1 d 0[12]:[0-5][0-9]:[0-5][0-9]$", "Starting any moment now")]
    public async Task The_offline_page_shows_the_next_show_in_its_language_and_counts_down_to_it(string locale, string label, string countdown, string soon)
    {
        ChromiumSession.SkipIfMissing();
        await using var server = await RelayTestServer.StartAsync();
        await using var chromium = await ChromiumSession.StartAsync();
        using var admin = server.AdminClient();
        async Task SetNextShowAsync(DateTimeOffset at)
        {
            using var response = await admin.PatchAsync("/api/v1/channels/demo",
                System.Net.Http.Json.JsonContent.Create(new { nextShowAt = at.ToString("O") }), TestContext.Current.CancellationToken);
            Assert.Equal(System.Net.HttpStatusCode.OK, response.StatusCode);
        }
        var nextShow = DateTimeOffset.UtcNow.AddSeconds(26 * 3600 + 30);
        await SetNextShowAsync(nextShow);
        var page = await chromium.NewPageAsync(server.BaseAddress, PhoneWidth, PhoneHeight, mobile: true, locale: locale);
        await page.GotoAsync("/watch/demo");
        await Assertions.Expect(page.Locator("#title")).ToHaveTextAsync("Relay demo show");
        await Assertions.Expect(page.Locator("#next-show")).ToBeVisibleAsync();
        await Assertions.Expect(page.Locator("#next-show")).ToContainTextAsync(label);
        var expected = await page.EvaluateAsync<string>(
            "at => new Date(at).toLocaleString(document.documentElement.lang, { dateStyle: 'medium', timeStyle: 'short' })", nextShow.ToString("O"));
        await Assertions.Expect(page.Locator("#next-show-at")).ToHaveTextAsync(expected);
        var counter = page.Locator("#next-show-countdown");
        await Assertions.Expect(counter).ToHaveTextAsync(new Regex(countdown));
        var first = await counter.TextContentAsync();
        await Assertions.Expect(counter).Not.ToHaveTextAsync(first!, new() { Timeout = 5_000 });
        if (locale == "zh-CN")
        {
            Assert.Matches("年", expected);
            await VisibleText.AssertNoEnglishAsync(page, "Relay demo show");
        }
        await AssertFitsAsync(page, "next show");

        // Moved while the page is open: the `nextShow` event changes the date without a reload.
        var moved = nextShow.AddDays(2);
        await SetNextShowAsync(moved);
        var movedText = await page.EvaluateAsync<string>(
            "at => new Date(at).toLocaleString(document.documentElement.lang, { dateStyle: 'medium', timeStyle: 'short' })", moved.ToString("O"));
        await Assertions.Expect(page.Locator("#next-show-at")).ToHaveTextAsync(movedText);

        // Its time has come: "starting soon"; long past (the show never came): not shown at all. The page's Join answer
        // is given the older time (the API only takes future ones).
        await page.AddInitScriptAsync("""
            (() => {
              let real;
              Object.defineProperty(window, "signalR", {
                configurable: true,
                get() { return real; },
                set(value) {
                  real = value;
                  const proto = value?.HubConnection?.prototype;
                  if (!proto || proto.__nextShow) return;
                  proto.__nextShow = true;
                  const invoke = proto.invoke;
                  proto.invoke = async function (name, ...args) {
                    const answer = await invoke.call(this, name, ...args);
                    const at = sessionStorage.getItem("test.nextShowAt");
                    if (name === "Join" && at) answer.nextShowAt = at;
                    return answer;
                  };
                },
              });
            })();
            """);
        await page.EvaluateAsync("() => sessionStorage.setItem('test.nextShowAt', new Date(Date.now() - 60_000).toISOString())");
        await page.ReloadAsync();
        await Assertions.Expect(counter).ToHaveTextAsync(soon);
        await page.EvaluateAsync("() => sessionStorage.setItem('test.nextShowAt', new Date(Date.now() - 3 * 3600_000).toISOString())");
        await page.ReloadAsync();
        await Assertions.Expect(page.Locator("#title")).ToHaveTextAsync("Relay demo show");
        await Assertions.Expect(page.Locator("#offline")).ToBeVisibleAsync();
        await Assertions.Expect(page.Locator("#next-show")).ToBeHiddenAsync();
        Assert.Empty(chromium.PageErrors);
    }

    /// <summary>Nothing scrolls sideways, and no visible button, badge or picker is cut off or wider than its text allows.</summary>
    internal static async Task AssertFitsAsync(IPage page, string stage)
    {
        var problems = await page.EvaluateAsync<string[]>("""
            () => {
              const out = [];
              if (document.documentElement.scrollWidth > window.innerWidth + 1)
                out.push(`the page is ${document.documentElement.scrollWidth}px wide in a ${window.innerWidth}px window`);
              for (const el of document.querySelectorAll("button, .badge, .lang-picker, .viewers, .chip, h1, h2, #product-stock, #buy-status")) {
                if (!(el.offsetWidth || el.offsetHeight) || getComputedStyle(el).visibility === "hidden") continue;
                const r = el.getBoundingClientRect();
                const name = `${el.tagName.toLowerCase()}${el.id ? "#" + el.id : ""}.${el.className} “${el.textContent.trim().slice(0, 30)}”`;
                if (r.left < -1 || r.right > window.innerWidth + 1) out.push(`${name} sticks out of the window (${Math.round(r.left)}..${Math.round(r.right)})`);
                const clipsText = getComputedStyle(el).textOverflow !== "ellipsis" && el.scrollWidth > el.clientWidth + 1;
                if (clipsText && el.tagName !== "SELECT") out.push(`${name} cuts its text (${el.scrollWidth} > ${el.clientWidth})`);
              }
              return out;
            }
            """);
        Assert.True(problems.Length == 0, $"{stage} ({page.ViewportSize?.Width}x{page.ViewportSize?.Height}, {await page.EvaluateAsync<string>("document.documentElement.lang")}):\n  " + string.Join("\n  ", problems));
    }
}
