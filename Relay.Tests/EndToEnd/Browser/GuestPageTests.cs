using System.Text.Json;
using Microsoft.AspNetCore.SignalR.Client;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using Relay.Chat.Contracts;
using Relay.Tests.Common;
using Relay.Tests.Common.Browser;
using Relay.Tests.Common.Hosts;

namespace Relay.Tests.EndToEnd.Browser;

/// <summary>The watch page's guest identity in a real headless chromium against the real host.</summary>
public sealed class GuestPageTests
{
    [Fact]
    public async Task The_watch_page_mints_one_guest_token_and_stays_that_buyer_across_reloads_and_a_stale_token()
    {
        ChromiumSession.SkipIfMissing();
        var ct = TestContext.Current.CancellationToken;
        await using var server = await RelayTestServer.StartAsync();
        await using var chromium = await ChromiumSession.StartAsync();
        var demo = server.Channels.Find("demo")!;
        await using var host = new HubConnectionBuilder()
            .WithUrl(new Uri(server.BaseAddress, "/hubs/live"), o => o.AccessTokenProvider = () => Task.FromResult<string?>(demo.HostKey))
            .AddMessagePackProtocol().Build();
        await host.StartAsync(ct);
        await host.InvokeAsync<JoinSnapshot>("Join", "demo", new JoinOptions(), ct);
        await host.InvokeAsync("Pin", "MUG-002", ct);

        var page = await chromium.NewPageAsync(server.BaseAddress, 390, 844, mobile: true);
        var mints = 0;
        var hubTokens = new List<string>();
        page.Request += (_, r) => { if (r.Method == "POST" && r.Url.EndsWith("/api/v1/guests", StringComparison.Ordinal)) Interlocked.Increment(ref mints); };
        page.WebSocket += (_, ws) =>
        {
            var token = new Uri(ws.Url).Query.Split('&').FirstOrDefault(p => p.TrimStart('?').StartsWith("access_token=", StringComparison.Ordinal));
            lock (hubTokens) hubTokens.Add(token is null ? "" : Uri.UnescapeDataString(token.TrimStart('?')["access_token=".Length..]));
        };
        async Task BuyAsync()
        {
            await Assertions.Expect(page.Locator("#product-title")).ToHaveTextAsync("Stream-proof mug");
            await page.Locator("#buy").ClickAsync();
            if (await page.Locator("#name-dialog").IsVisibleAsync())
            {
                await page.Locator("#name-input").FillAsync("Ann");
                await page.Locator("#name-form button[type=submit]").ClickAsync();
            }
            await Assertions.Expect(page.Locator("#buy-status")).ToContainTextAsync("confirmed");
        }

        await page.GotoAsync("/watch/demo");
        await BuyAsync();
        var saved = JsonDocument.Parse(await page.EvaluateAsync<string>("() => localStorage.getItem('relay.guest')")).RootElement;
        var guestId = saved.GetProperty("guestId").GetString()!;
        var token = saved.GetProperty("guestToken").GetString()!;

        // A reload is a new connection: the same token, the same buyer, no new mint.
        await page.ReloadAsync();
        await BuyAsync();
        Assert.Equal(1, Volatile.Read(ref mints));
        lock (hubTokens) Assert.Equal([token, token], hubTokens);
        using var admin = server.AdminClient();
        var orders = JsonDocument.Parse(await admin.GetStringAsync("/api/v1/channels/demo/orders", ct)).RootElement;
        Assert.Equal([guestId, guestId], orders.EnumerateArray().Select(o => o.GetProperty("buyerId").GetString()));

        // A token the relay no longer accepts (expired, or its key ring was replaced): the page takes a new identity.
        await page.EvaluateAsync("() => localStorage.setItem('relay.guest', JSON.stringify({ guestId: 'guest_0', guestToken: 'guest.stale', expiresAt: '2099-01-01T00:00:00Z' }))");
        await page.ReloadAsync();
        await BuyAsync();
        Assert.Equal(2, Volatile.Read(ref mints));
        await Assertions.Expect(page.Locator("#connection")).ToBeHiddenAsync();
        var renewed = JsonDocument.Parse(await page.EvaluateAsync<string>("() => localStorage.getItem('relay.guest')")).RootElement;
        Assert.NotEqual(guestId, renewed.GetProperty("guestId").GetString());
        Assert.Empty(chromium.PageErrors);
    }
}
