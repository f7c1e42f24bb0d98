using System.Net;
using System.Text.Json;
using Microsoft.AspNetCore.SignalR.Client;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using Relay.Chat.Contracts;
using Relay.Tests.Common.Browser;
using Relay.Tests.Common.Hosts;

namespace Relay.Tests.EndToEnd.Browser;

/// <summary>
/// The bag and the reconnect on a phone: every product of the show can be bought from the bag (the flash sale's and the
/// pinned one first), a line-up change reaches the open page, and after the phone's network drops and comes back the
/// page shows what changed meanwhile (an unpin, a sale's end, a message), never the stale pin or sale.
/// </summary>
public sealed class WatchBagBrowserTests
{
    private const int PhoneWidth = 390, PhoneHeight = 844;

    [Theory]
    [InlineData("en", "Shop the show", "Flash sale", "Now showing", "Buy", "Order confirmed", "Reconnecting", "CN¥199.00")]
    [InlineData("zh-CN", "本场商品", "秒杀", "讲解中", "购买", "下单成功", "重新连接", "¥199.00")]
    public async Task A_viewer_buys_any_product_from_the_bag_and_sees_what_changed_while_the_network_was_down(
        string locale, string bagLabel, string saleTag, string pinnedTag, string buyLabel, string confirmed, string reconnecting, string salePrice)
    {
        ChromiumSession.SkipIfMissing();
        var ct = TestContext.Current.CancellationToken;
        await using var server = await RelayTestServer.StartAsync();
        await using var chromium = await ChromiumSession.StartAsync();
        using var admin = server.AdminClient();

        var created = await admin.PostAsync("/api/v1/channels", RelayServerTest.JsonBody("""{"id":"bag","title":"春季新品"}"""), ct);
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var hostKey = JsonDocument.Parse(await created.Content.ReadAsStringAsync(ct)).RootElement.GetProperty("hostKey").GetString()!;
        await PutLineup(admin, """
            [{"sku":"TEA-01","title":"龙井礼盒","priceCents":12800,"currency":"CNY","stock":30},
             {"sku":"CUP-02","title":"青瓷茶杯","priceCents":3900,"currency":"CNY"},
             {"sku":"POT-03","title":"紫砂壶","priceCents":26800,"currency":"CNY","stock":4}]
            """, ct);

        var page = await chromium.NewPageAsync(server.BaseAddress, PhoneWidth, PhoneHeight, mobile: true, locale: locale);
        await page.GotoAsync("/watch/bag");
        await Assertions.Expect(page.Locator("#bag-open")).ToContainTextAsync(bagLabel);
        await Assertions.Expect(page.Locator("#bag-count")).ToHaveTextAsync("3");

        await using var host = new HubConnectionBuilder()
            .WithUrl(new Uri(server.BaseAddress, "/hubs/live"), o => o.AccessTokenProvider = () => Task.FromResult<string?>(hostKey))
            .AddMessagePackProtocol().Build();
        await host.StartAsync(ct);
        await host.InvokeAsync<JoinSnapshot>("Join", "bag", new JoinOptions { DisplayName = "茶小二" }, ct);
        await host.InvokeAsync("Pin", "CUP-02", ct);
        await host.InvokeAsync("StartFlashSale", new FlashSaleRequest { Sku = "POT-03", PriceCents = 19900, Quantity = 2, DurationSeconds = 300 }, ct);
        await Assertions.Expect(page.Locator("#product-title")).ToHaveTextAsync("紫砂壶");

        // The bag: the sale's product first, then the pinned one, then the rest; each with its price and a Buy button.
        await page.Locator("#bag-open").ClickAsync();
        var items = page.Locator("#bag-list .bag-item");
        await Assertions.Expect(items).ToHaveCountAsync(3);
        Assert.Equal(["POT-03", "CUP-02", "TEA-01"], await items.EvaluateAllAsync<string[]>("nodes => nodes.map(n => n.dataset.sku)"));
        await Assertions.Expect(items.Nth(0).Locator(".bag-tag")).ToHaveTextAsync(saleTag);
        await Assertions.Expect(items.Nth(1).Locator(".bag-tag")).ToHaveTextAsync(pinnedTag);
        await Assertions.Expect(items.Nth(0).Locator(".bag-item-price")).ToHaveTextAsync(salePrice);
        if (locale == "zh-CN") await VisibleText.AssertNoEnglishAsync(page);

        // Neither pinned nor on sale: bought from the bag at its line-up price, confirmed by the order API.
        await page.Locator(".bag-item[data-sku='TEA-01'] button").ClickAsync();
        var nameDialog = page.Locator("#name-dialog");
        await Assertions.Expect(nameDialog).ToBeVisibleAsync();
        await page.Locator("#name-input").FillAsync("小林");
        await page.Locator("#name-form button[type=submit]").ClickAsync();
        await Assertions.Expect(page.Locator("#bag-status")).ToContainTextAsync(confirmed, new() { Timeout = 20_000 });
        var order = Assert.Single(JsonDocument.Parse(await admin.GetStringAsync("/api/v1/channels/bag/orders", ct)).RootElement.EnumerateArray());
        Assert.Equal(("TEA-01", 12800), (order.GetProperty("sku").GetString(), order.GetProperty("unitPriceCents").GetInt32()));
        await Assertions.Expect(page.Locator(".bag-item[data-sku='TEA-01'] .bag-item-meta")).ToContainTextAsync("29");
        await Assertions.Expect(page.Locator(".bag-item[data-sku='CUP-02'] button")).ToHaveTextAsync(buyLabel);

        // The host adds a product: the open bag shows it.
        await PutLineup(admin, """
            [{"sku":"TEA-01","title":"龙井礼盒","priceCents":12800,"currency":"CNY","stock":30},
             {"sku":"CUP-02","title":"青瓷茶杯","priceCents":3900,"currency":"CNY"},
             {"sku":"POT-03","title":"紫砂壶","priceCents":26800,"currency":"CNY","stock":4},
             {"sku":"BOX-04","title":"茶叶罐","priceCents":5900,"currency":"CNY","stock":10}]
            """, ct);
        await Assertions.Expect(items).ToHaveCountAsync(4);
        await Assertions.Expect(page.Locator("#bag-count")).ToHaveTextAsync("4");
        await page.Locator("#bag-close").ClickAsync();

        // The phone's network drops. Meanwhile the host unpins, ends the sale and says something.
        await page.Context.SetOfflineAsync(true);
        await Assertions.Expect(page.Locator("#connection")).ToContainTextAsync(reconnecting, new() { Timeout = 40_000 });
        await host.InvokeAsync("Unpin", ct);
        await host.InvokeAsync("EndFlashSale", ct);
        await host.InvokeAsync("SendMessage", "马上回来", ct);
        await page.Context.SetOfflineAsync(false);

        // Back: the page shows neither the stale pin nor the stale sale, and has the message it missed.
        await Assertions.Expect(page.Locator("#connection")).ToBeHiddenAsync(new() { Timeout = 40_000 });
        await Assertions.Expect(page.Locator("#messages")).ToContainTextAsync("马上回来");
        await Assertions.Expect(page.Locator("#product")).ToBeHiddenAsync();
        await page.Locator("#bag-open").ClickAsync();
        await Assertions.Expect(page.Locator("#bag-list .bag-tag")).ToHaveCountAsync(0);
        Assert.Equal(["TEA-01", "CUP-02", "POT-03", "BOX-04"], await items.EvaluateAllAsync<string[]>("nodes => nodes.map(n => n.dataset.sku)"));
        if (locale == "zh-CN") await VisibleText.AssertNoEnglishAsync(page);
        // Still the same viewer, with the name it chose before the drop.
        await page.Locator("#bag-close").ClickAsync();
        await page.Locator("#chat-input").FillAsync("好的");
        await page.Locator("#chat-form button[type=submit]").ClickAsync();
        await Assertions.Expect(page.Locator("#messages li", new() { HasText = "好的" }).Locator(".message-name")).ToHaveTextAsync("小林");
        Assert.Empty(chromium.PageErrors);
    }

    private static async Task PutLineup(HttpClient admin, string json, CancellationToken ct)
    {
        using var response = await admin.PutAsync("/api/v1/channels/bag/lineup", RelayServerTest.JsonBody(json), ct);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }
}
