using System.Net;
using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.SignalR.Client;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using Relay.Chat.Contracts;
using Relay.Tests.Common.Browser;
using Relay.Tests.Common.Hosts;

namespace Relay.Tests.EndToEnd.Browser;

/// <summary>
/// Coupons on the phone-sized watch page (issue 16), in English and in Chinese: the host drops a coupon over the hub, the
/// page shows it (amount, minimum, what is left, a countdown) with Claim, the viewer claims it, buys, and the purchase
/// carries the coupon: the discount shows under the buy status and the order has couponId and discountCents.
/// </summary>
public sealed class WatchCouponBrowserTests
{
    private const int PhoneWidth = 390, PhoneHeight = 844;

    public static TheoryData<string> Languages => ["en", "zh-CN"];

    [Theory]
    [MemberData(nameof(Languages))]
    public async Task A_viewer_claims_a_dropped_coupon_and_buys_with_it(string language)
    {
        ChromiumSession.SkipIfMissing();
        var ct = TestContext.Current.CancellationToken;
        var zh = language == "zh-CN";
        await using var server = await RelayTestServer.StartAsync();
        await using var chromium = await ChromiumSession.StartAsync();
        using var admin = server.AdminClient();
        var created = await admin.PostAsync("/api/v1/channels", RelayServerTest.JsonBody("""{"id":"tea","title":"春茶专场"}"""), ct);
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var hostKey = JsonDocument.Parse(await created.Content.ReadAsStringAsync(ct)).RootElement.GetProperty("hostKey").GetString()!;
        var lineup = await admin.PutAsync("/api/v1/channels/tea/lineup", RelayServerTest.JsonBody("""
            [{"sku":"TEA-01","title":"明前龙井礼盒","priceCents":12800,"currency":"CNY","stock":30}]
            """), ct);
        Assert.Equal(HttpStatusCode.OK, lineup.StatusCode);

        var page = await chromium.NewPageAsync(server.BaseAddress, PhoneWidth, PhoneHeight, mobile: true, locale: language);
        await page.GotoAsync("/watch/tea");
        await Assertions.Expect(page.Locator("html")).ToHaveAttributeAsync("lang", language);
        await Assertions.Expect(page.Locator("#title")).ToHaveTextAsync("春茶专场");

        await using var host = new HubConnectionBuilder()
            .WithUrl(new Uri(server.BaseAddress, "/hubs/live"), o => o.AccessTokenProvider = () => Task.FromResult<string?>(hostKey))
            .AddMessagePackProtocol().Build();
        await host.StartAsync(ct);
        await host.InvokeAsync<JoinSnapshot>("Join", "tea", new JoinOptions { DisplayName = "茶小二" }, ct);
        await host.InvokeAsync("Pin", "TEA-01", ct);
        var coupon = await host.InvokeAsync<CouponView>("DropCoupon",
            new CouponRequest { DiscountCents = 1000, MinSpendCents = 10000, Quantity = 50, DurationSeconds = 120 }, ct);

        var card = page.Locator($"[data-coupon-id='{coupon.CouponId}']");
        await Assertions.Expect(card).ToBeVisibleAsync();
        var ten = await page.EvaluateAsync<string>($"() => new Intl.NumberFormat('{language}', {{ style: 'currency', currency: 'CNY' }}).format(10)");
        var hundred = await page.EvaluateAsync<string>($"() => new Intl.NumberFormat('{language}', {{ style: 'currency', currency: 'CNY' }}).format(100)");
        await Assertions.Expect(card.Locator(".coupon-value")).ToHaveTextAsync(zh ? $"立减 {ten}" : $"{ten} off");
        await Assertions.Expect(card.Locator(".coupon-terms")).ToContainTextAsync(zh ? $"满 {hundred} 可用" : $"on orders of {hundred} or more");
        await Assertions.Expect(card.Locator(".coupon-left")).ToHaveTextAsync(zh ? "剩余 50/50 张" : "50 of 50 left");
        await Assertions.Expect(card.Locator(".coupon-ends")).ToHaveTextAsync(new Regex(zh ? "^0[12]:[0-5][0-9] 后结束$" : "^ends in 0[12]:[0-5][0-9]$"));
        if (zh) await VisibleText.AssertNoEnglishAsync(page);

        await card.Locator(".coupon-claim").ClickAsync();
        await Assertions.Expect(card.Locator(".coupon-claim")).ToHaveTextAsync(zh ? "已领取" : "Claimed");
        await Assertions.Expect(card.Locator(".coupon-claim")).ToBeDisabledAsync();
        await Assertions.Expect(card.Locator(".coupon-left")).ToHaveTextAsync(zh ? "剩余 49/50 张" : "49 of 50 left");
        if (zh) await VisibleText.AssertNoEnglishAsync(page);

        // Buying: the first purchase asks for a name, then goes out with the coupon; 10 off 128 shows under the status.
        await page.Locator("#buy").ClickAsync();
        await page.Locator("#name-input").FillAsync(zh ? "小林" : "Lin");
        await page.Locator("#name-form button[type=submit]").ClickAsync();
        await Assertions.Expect(page.Locator("#buy-discount")).ToHaveTextAsync(zh ? $"已使用优惠券，立减 {ten}" : $"Coupon applied: {ten} off");
        await Assertions.Expect(page.Locator("#buy-discount")).ToHaveAttributeAsync("data-discount-cents", "1000");
        await Assertions.Expect(card.Locator(".coupon-claim")).ToHaveTextAsync(zh ? "已使用" : "Used");
        if (zh) await VisibleText.AssertNoEnglishAsync(page);

        var orders = JsonDocument.Parse(await admin.GetStringAsync("/api/v1/channels/tea/orders", ct)).RootElement;
        var order = Assert.Single(orders.EnumerateArray());
        Assert.Equal(coupon.CouponId, order.GetProperty("couponId").GetString());
        Assert.Equal(1000, order.GetProperty("discountCents").GetInt64());

        // The next purchase has no claim left: it goes without a coupon.
        await page.Locator("#buy").ClickAsync();
        await Assertions.Expect(page.Locator("#buy-discount")).ToBeHiddenAsync();
        await Eventually(async () => JsonDocument.Parse(await admin.GetStringAsync("/api/v1/channels/tea/orders", ct)).RootElement.GetArrayLength() == 2);
        var second = JsonDocument.Parse(await admin.GetStringAsync("/api/v1/channels/tea/orders", ct)).RootElement.EnumerateArray()
            .Single(o => o.GetProperty("orderId").GetString() != order.GetProperty("orderId").GetString());
        Assert.False(second.TryGetProperty("couponId", out _));
    }

    [Fact]
    public async Task The_host_drops_a_coupon_from_the_studio_and_sees_what_is_left()
    {
        ChromiumSession.SkipIfMissing();
        var ct = TestContext.Current.CancellationToken;
        await using var server = await RelayTestServer.StartAsync();
        await using var chromium = await ChromiumSession.StartAsync();
        var demo = server.Channels.Find("demo")!;
        var studio = await chromium.NewPageAsync(server.BaseAddress, 1440, 900);
        await studio.GotoAsync("/studio/demo");
        await studio.Locator("#token-input").FillAsync(demo.HostKey);
        await studio.Locator("#login-form button[type=submit]").ClickAsync();
        await Assertions.Expect(studio.Locator("#studio")).ToBeVisibleAsync();
        await Assertions.Expect(studio.Locator("#coupon-status")).ToHaveTextAsync("No coupon live.");

        // A refusal names its field and drops nothing.
        await studio.Locator("#coupon-form select[name=type]").SelectOptionAsync("percent");
        await studio.Locator("#coupon-form input[name=value]").FillAsync("95");
        await studio.Locator("#coupon-drop").ClickAsync();
        await Assertions.Expect(studio.Locator("#coupon-status")).ToContainTextAsync("percentOff");
        await Assertions.Expect(studio.Locator("#coupon-live li")).ToHaveCountAsync(0);

        await studio.Locator("#coupon-form input[name=value]").FillAsync("10");
        await studio.Locator("#coupon-form input[name=quantity]").FillAsync("3");
        await studio.Locator("#coupon-drop").ClickAsync();
        var live = studio.Locator("#coupon-live li");
        await Assertions.Expect(live).ToHaveCountAsync(1);
        await Assertions.Expect(live).ToContainTextAsync("10% off");
        await Assertions.Expect(live).ToContainTextAsync("3 of 3 left");
        var couponId = (await live.GetAttributeAsync("data-coupon-id"))!;

        await using var viewer = new HubConnectionBuilder().WithUrl(new Uri(server.BaseAddress, "/hubs/live")).Build();
        await viewer.StartAsync(ct);
        await viewer.InvokeAsync<JoinSnapshot>("Join", "demo", new JoinOptions(), ct);
        Assert.Equal(CouponStatus.Claimed, (await viewer.InvokeAsync<CouponClaimResult>("ClaimCoupon", couponId, ct)).Status);
        await Assertions.Expect(live).ToContainTextAsync("2 of 3 left");
    }

    private static Task Eventually(Func<Task<bool>> condition) =>
        Common.Eventually.TrueAsync(condition, "the second order", TimeSpan.FromSeconds(10), TestContext.Current.CancellationToken);
}
