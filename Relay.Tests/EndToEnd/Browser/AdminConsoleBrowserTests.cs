using System.Text.Json;
using Microsoft.AspNetCore.SignalR.Client;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using Relay.Chat.Contracts;
using Relay.Tests.Common;
using Relay.Tests.Common.Browser;
using Relay.Tests.Common.Chat;
using Relay.Tests.Common.Hosts;

namespace Relay.Tests.EndToEnd.Browser;

/// <summary>
/// The admin console (/admin) driven in a real browser, in English and in Chinese, each action checked through the REST
/// API: sign in with the admin token (a host key is refused), create a channel and read its keys once, rotate its keys,
/// delete it, see the node, and send a dead-lettered order again so it reaches the order API.
/// </summary>
public sealed class AdminConsoleBrowserTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task An_operator_manages_channels_nodes_and_dead_letters_from_the_console_in_english()
    {
        ChromiumSession.SkipIfMissing();
        // The order API answers 503 until told otherwise: with one attempt allowed, the order is dead-lettered at once.
        await using var orderApi = await ScriptedOrderApi.StartAsync();
        var brandBack = false;
        orderApi.Script = _ => Volatile.Read(ref brandBack) ? ScriptedAnswer.Created() : new ScriptedAnswer(503);
        await using var server = await RelayTestServer.StartAsync(
            $"--Relay:Orders:Endpoint={orderApi.Endpoint}", "--Relay:Orders:ApiKey=brand-key-0123", "--Relay:Orders:MaxAttempts=1");
        server.AllowedErrors.Add("dead-lettered");
        await using var chromium = await ChromiumSession.StartAsync();
        using var admin = server.AdminClient();
        var deadOrder = await DeadLetterAsync(server);

        var page = await chromium.NewPageAsync(server.BaseAddress, 1280, 900);
        page.Dialog += async (_, dialog) => await dialog.AcceptAsync();
        await page.GotoAsync("/admin");
        await Assertions.Expect(page.Locator("html")).ToHaveAttributeAsync("lang", "en");

        // A host key is not the admin token: refused with a sentence, the console stays closed.
        await page.Locator("#token-input").FillAsync(server.Channels.Find("demo")!.HostKey);
        await page.Locator("#login-form button[type=submit]").ClickAsync();
        await Assertions.Expect(page.Locator("#login-error")).ToContainTextAsync("not the admin token");
        await Assertions.Expect(page.Locator("#console")).ToBeHiddenAsync();
        await page.Locator("#token-input").FillAsync(server.AdminToken);
        await page.Locator("#login-form button[type=submit]").ClickAsync();
        await Assertions.Expect(page.Locator("#channels tr[data-channel=demo]")).ToBeVisibleAsync();

        // Create: the keys are shown once, and they are the channel's real keys.
        await page.Locator("#create-title").FillAsync("Spring launch with Ann");
        await page.Locator("#create-id").FillAsync("spring");
        await page.Locator("#create-form button[type=submit]").ClickAsync();
        await Assertions.Expect(page.Locator("#secret-dialog")).ToBeVisibleAsync();
        var shown = await page.Locator("#secret-list code").AllTextContentsAsync();
        var created = server.Channels.Find("spring")!;
        Assert.Equal("Spring launch with Ann", created.Title);
        Assert.Contains(created.StreamKey, shown);
        Assert.Contains(created.HostKey, shown);
        Assert.Contains(shown, s => s.EndsWith("/studio/spring", StringComparison.Ordinal));
        await page.Locator("#secret-dialog button[type=submit]").ClickAsync();
        await Assertions.Expect(page.Locator("#channels tr[data-channel=spring]")).ToContainTextAsync("Spring launch with Ann");
        await Assertions.Expect(page.Locator($"#dead tr[data-order='{deadOrder}']")).ToBeVisibleAsync();
        await Assertions.Expect(page.Locator("#nodes tbody tr")).ToHaveCountAsync(1);
        await Screenshots.SaveAsync(server, page, "admin-console.png");

        // The same id again: a sentence that says what to do, nothing changed.
        await page.Locator("#create-title").FillAsync("Another");
        await page.Locator("#create-id").FillAsync("spring");
        await page.Locator("#create-form button[type=submit]").ClickAsync();
        await Assertions.Expect(page.Locator("#create-error")).ToContainTextAsync("choose another id");
        Assert.Equal("Spring launch with Ann", server.Channels.Find("spring")!.Title);

        // Rename: the dialog, the API has the new title, the row shows it.
        var row = page.Locator("#channels tr[data-channel=spring]");
        await row.GetByRole(AriaRole.Button, new() { Name = "Rename" }).ClickAsync();
        await page.Locator("#rename-input").FillAsync("Spring launch, second night");
        await page.Locator("#rename-form button[type=submit]").ClickAsync();
        await Assertions.Expect(row).ToContainTextAsync("Spring launch, second night");
        Assert.Equal("Spring launch, second night", server.Channels.Find("spring")!.Title);

        // New stream key: the old one stops, the dialog shows the new one, which the reveal confirms.
        await row.GetByRole(AriaRole.Button, new() { Name = "New stream key" }).ClickAsync();
        await Assertions.Expect(page.Locator("#secret-dialog")).ToBeVisibleAsync();
        var newKey = await page.Locator("#secret-list code").First.TextContentAsync();
        Assert.NotEqual(created.StreamKey, newKey);
        var revealed = JsonDocument.Parse(await admin.GetStringAsync("/api/v1/channels/spring/stream-key", Ct)).RootElement;
        Assert.Equal(newKey, revealed.GetProperty("streamKey").GetString());
        await page.Locator("#secret-dialog button[type=submit]").ClickAsync();

        await row.GetByRole(AriaRole.Button, new() { Name = "New host key" }).ClickAsync();
        await Assertions.Expect(page.Locator("#secret-dialog")).ToBeVisibleAsync();
        var newHostKey = await page.Locator("#secret-list code").First.TextContentAsync();
        Assert.Equal(server.Channels.Find("spring")!.HostKey, newHostKey);
        Assert.NotEqual(created.HostKey, newHostKey);
        await page.Locator("#secret-dialog button[type=submit]").ClickAsync();

        // The studio link opens the channel's studio already signed in with the admin token (this tab only).
        await row.GetByRole(AriaRole.Link, new() { Name = "Studio" }).ClickAsync();
        await Assertions.Expect(page.Locator("#studio")).ToBeVisibleAsync();
        await page.GoBackAsync();
        await Assertions.Expect(page.Locator("#channels tr[data-channel=spring]")).ToBeVisibleAsync();

        // Delete (confirmed): gone from the API too.
        await page.Locator("#channels tr[data-channel=spring]").GetByRole(AriaRole.Button, new() { Name = "Delete" }).ClickAsync();
        await Assertions.Expect(page.Locator("#channels tr[data-channel=spring]")).ToHaveCountAsync(0);
        Assert.Null(server.Channels.Find("spring"));

        // The node this process is, ready.
        await Assertions.Expect(page.Locator("#nodes tbody tr")).ToHaveCountAsync(1);
        await Assertions.Expect(page.Locator("#nodes tbody tr")).ToContainTextAsync("Ready");

        // The dead letter: sent again once the brand is back, it is confirmed and leaves the list.
        var deadRow = page.Locator($"#dead tr[data-order='{deadOrder}']");
        await Assertions.Expect(deadRow).ToContainTextAsync("MUG-002 × 1");
        Volatile.Write(ref brandBack, true);
        await deadRow.GetByRole(AriaRole.Button, new() { Name = "Send again" }).ClickAsync();
        await Assertions.Expect(deadRow).ToHaveCountAsync(0);
        await Assertions.Expect(page.Locator("#dead-empty")).ToBeVisibleAsync();
        await Eventually.TrueAsync(async () => (await OrderStatusAsync(admin, deadOrder)) == "confirmed", "the re-sent order to be confirmed", TimeSpan.FromSeconds(30), Ct);
        Assert.Equal(1, orderApi.Taken[deadOrder]);
        Assert.Empty(chromium.PageErrors);
    }

    [Fact]
    public async Task The_console_in_chinese_has_no_english_left_and_works_the_same()
    {
        ChromiumSession.SkipIfMissing();
        await using var orderApi = await ScriptedOrderApi.StartAsync();
        orderApi.Script = _ => new ScriptedAnswer(503);
        await using var server = await RelayTestServer.StartAsync(
            $"--Relay:Orders:Endpoint={orderApi.Endpoint}", "--Relay:Orders:ApiKey=brand-key-0123", "--Relay:Orders:MaxAttempts=1");
        server.AllowedErrors.Add("dead-lettered");
        await using var chromium = await ChromiumSession.StartAsync();
        var deadOrder = await DeadLetterAsync(server);
        var demo = server.Channels.Find("demo")!;

        var page = await chromium.NewPageAsync(server.BaseAddress, 390, 844, mobile: true, locale: "zh-CN");
        page.Dialog += async (_, dialog) => await dialog.AcceptAsync();
        await page.GotoAsync("/admin");
        await Assertions.Expect(page.Locator("html")).ToHaveAttributeAsync("lang", "zh-CN");
        await Assertions.Expect(page.Locator("#login h2")).ToHaveTextAsync("登录管理后台");
        await VisibleText.AssertNoEnglishAsync(page, "Auth", "AdminToken");

        await page.Locator("#token-input").FillAsync(server.AdminToken);
        await page.Locator("#login-form button[type=submit]").ClickAsync();
        await Assertions.Expect(page.Locator("#channels tr[data-channel=demo]")).ToContainTextAsync("未开播");
        await Assertions.Expect(page.Locator($"#dead tr[data-order='{deadOrder}']")).ToContainTextAsync("重新发送");
        await Assertions.Expect(page.Locator("#nodes tbody tr")).ToContainTextAsync("就绪");
        // Money in Chinese: the demo line-up is priced in USD, written as Intl writes it for zh-CN (US$).
        await Assertions.Expect(page.Locator($"#dead tr[data-order='{deadOrder}']")).ToContainTextAsync("US$");
        await VisibleText.AssertNoEnglishAsync(page, demo.Id, demo.Title, deadOrder, "MUG", "Idempotency", "Key", "spring", "launch", "Ctrl");

        await page.Locator("#create-title").FillAsync("春季新品直播");
        await page.Locator("#create-id").FillAsync("spring");
        await page.Locator("#create-form button[type=submit]").ClickAsync();
        await Assertions.Expect(page.Locator("#secret-title")).ToHaveTextAsync("“春季新品直播”已创建");
        Assert.Equal("春季新品直播", server.Channels.Find("spring")!.Title);
        var created = server.Channels.Find("spring")!;
        await VisibleText.AssertNoEnglishAsync(page, demo.Id, demo.Title, deadOrder, "MUG", "Idempotency", "Key", "spring",
            created.StreamKey, created.HostKey, "Ctrl", "127.0.0.1", server.BaseAddress.ToString());
        await page.Locator("#secret-dialog button[type=submit]").ClickAsync();
        Assert.Empty(chromium.PageErrors);
    }

    /// <summary>A guest buys the pinned mug while the order API answers 503 with one attempt allowed: one dead letter.</summary>
    private static async Task<string> DeadLetterAsync(RelayTestServer server)
    {
        var demo = server.Channels.Find("demo")!;
        await using var host = new HubConnectionBuilder()
            .WithUrl(new Uri(server.BaseAddress, "/hubs/live"), o => o.AccessTokenProvider = () => Task.FromResult<string?>(demo.HostKey))
            .AddMessagePackProtocol().Build();
        await host.StartAsync(Ct);
        await host.InvokeAsync<JoinSnapshot>("Join", "demo", new JoinOptions(), Ct);
        await host.InvokeAsync("Pin", "MUG-002", Ct);
        await using var buyer = Hub.Build(new Uri(server.BaseAddress, "/hubs/live"), "json");
        await buyer.StartAsync(Ct);
        await buyer.InvokeAsync<JoinSnapshot>("Join", "demo", new JoinOptions { DisplayName = "Ann" }, Ct);
        var bought = await buyer.BuyAsync("MUG-002", 1, "admin-console-1");
        Assert.Equal(PurchaseStatus.Reserved, bought.Status);
        using var admin = server.AdminClient();
        await Eventually.TrueAsync(async () => (await OrderStatusAsync(admin, bought.OrderId!)) == "dead_letter", "the order to be dead-lettered", TimeSpan.FromSeconds(30), Ct);
        return bought.OrderId!;
    }

    private static async Task<string?> OrderStatusAsync(HttpClient admin, string orderId)
    {
        var orders = JsonDocument.Parse(await admin.GetStringAsync("/api/v1/channels/demo/orders", Ct)).RootElement;
        return orders.EnumerateArray().Where(o => o.GetProperty("orderId").GetString() == orderId)
            .Select(o => o.GetProperty("status").GetString()).SingleOrDefault();
    }
}
