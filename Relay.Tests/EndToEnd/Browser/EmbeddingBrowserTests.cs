using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.SignalR.Client;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;
using Microsoft.Playwright;
using Relay.Chat.Contracts;
using Relay.Tests.Common;
using Relay.Tests.Common.Browser;
using Relay.Tests.Common.Chat;
using Relay.Tests.Common.Hosts;

namespace Relay.Tests.EndToEnd.Browser;

/// <summary>
/// The watch page inside a shop (Pages:FrameAncestors, docs/embedding.md) in a real headless chromium: a shop page on
/// another origin (its own port) frames it and signs the viewer in by postMessage, the viewer buys, the shop hears
/// `relay:order` with the order API's checkoutUrl and the page shows "Pay now". A page from an origin not in the list
/// cannot frame it, a token posted by a frame of another origin is ignored, and `#token=` signs in and leaves the
/// address bar.
/// </summary>
public sealed class EmbeddingBrowserTests
{
    private const string JwtKey = "viewer-jwt-key-for-browser-tests-0123456789";
    private const string Checkout = "https://pay.shop.example/checkout/42";

    [Fact]
    public async Task A_shop_on_another_origin_frames_the_watch_page_signs_the_viewer_in_and_hears_the_order_with_its_checkout_url()
    {
        ChromiumSession.SkipIfMissing();
        var ct = TestContext.Current.CancellationToken;
        await using var orderApi = await ScriptedOrderApi.StartAsync();
        orderApi.Script = _ => ScriptedAnswer.Created(Checkout);
        await using var shop = await StaticSite.StartAsync();
        await using var rogue = await StaticSite.StartAsync();
        await using var server = await RelayTestServer.StartAsync(
            $"--Relay:Pages:FrameAncestors:0={shop.Origin}", $"--Relay:Auth:ViewerJwtKey={JwtKey}", $"--Relay:Orders:Endpoint={orderApi.Endpoint}");
        await using var chromium = await ChromiumSession.StartAsync();
        var relayOrigin = server.BaseAddress.GetLeftPart(UriPartial.Authority);
        var demo = server.Channels.Find("demo")!;
        await using var host = new HubConnectionBuilder()
            .WithUrl(new Uri(server.BaseAddress, "/hubs/live"), o => o.AccessTokenProvider = () => Task.FromResult<string?>(demo.HostKey))
            .AddMessagePackProtocol().Build();
        await host.StartAsync(ct);
        await host.InvokeAsync<JoinSnapshot>("Join", "demo", new JoinOptions(), ct);
        await host.InvokeAsync("Pin", "MUG-002", ct);

        // The watch page's own answer: framing allowed for the shop only; every other page stays unframeable.
        using (var http = server.Client())
        {
            var watch = await http.GetAsync("/watch/demo", ct);
            var csp = string.Join(" ", watch.Headers.GetValues("Content-Security-Policy"));
            Assert.Contains($"frame-ancestors {shop.Origin}", csp, StringComparison.Ordinal);
            Assert.False(watch.Headers.Contains("X-Frame-Options"));
            Assert.Contains($"content=\"{shop.Origin}\"", await watch.Content.ReadAsStringAsync(ct), StringComparison.Ordinal);
            var studio = await http.GetAsync("/studio/demo", ct);
            Assert.Contains("frame-ancestors 'none'", string.Join(" ", studio.Headers.GetValues("Content-Security-Policy")), StringComparison.Ordinal);
        }

        var token = Token("shop-buyer-7", "Shop Buyer");
        var rogueToken = Token("rogue-9", "Rogue");
        rogue.Pages["/rogue.html"] = $$"""
            <!doctype html><title>rogue</title><script>
            // A frame of another origin inside the shop tries to sign the watch page in as someone else.
            window.addEventListener("message", e => {
              if (e.data === "go") parent.frames["relay"].postMessage({ type: "relay:token", token: {{JsonSerializer.Serialize(rogueToken)}} }, "*");
            });
            </script>
            """;
        shop.Pages["/shop.html"] = $$"""
            <!doctype html><title>Shop</title>
            <iframe name="relay" id="relay" src="{{relayOrigin}}/watch/demo" width="420" height="760"></iframe>
            <iframe name="rogue" id="rogue" src="{{rogue.Origin}}/rogue.html" width="10" height="10"></iframe>
            <script>
            window.received = [];
            window.addEventListener("message", e => {
              if (e.origin !== {{JsonSerializer.Serialize(relayOrigin)}}) return;
              window.received.push(e.data);
            });
            window.signIn = () => document.getElementById("relay").contentWindow
              .postMessage({ type: "relay:token", token: {{JsonSerializer.Serialize(token)}} }, {{JsonSerializer.Serialize(relayOrigin)}});
            window.rogueGo = () => document.getElementById("rogue").contentWindow.postMessage("go", "*");
            </script>
            """;

        var page = await chromium.NewPageAsync(shop.BaseAddress, 900, 900);
        var hubTokens = new List<string>();
        page.WebSocket += (_, ws) =>
        {
            var query = new Uri(ws.Url).Query.TrimStart('?').Split('&').FirstOrDefault(p => p.StartsWith("access_token=", StringComparison.Ordinal));
            lock (hubTokens) hubTokens.Add(query is null ? "" : Uri.UnescapeDataString(query["access_token=".Length..]));
        };
        await page.GotoAsync("/shop.html");
        var frame = page.FrameLocator("#relay");
        await Assertions.Expect(frame.Locator("#product-title")).ToHaveTextAsync("Stream-proof mug");
        // The page told its parent what is pinned, naming the shop's origin.
        await page.WaitForFunctionAsync("() => window.received.some(m => m.type === 'relay:pinned' && m.sku === 'MUG-002')");

        // The rogue frame's token is ignored: no connection ever carries it.
        await page.EvaluateAsync("() => window.rogueGo()");
        await Task.Delay(1500, ct);
        lock (hubTokens) Assert.DoesNotContain(rogueToken, hubTokens);

        await page.EvaluateAsync("() => window.signIn()");
        await Eventually.TrueAsync(() => { lock (hubTokens) return Task.FromResult(hubTokens.Contains(token)); }, "the watch page reconnects with the shop's token", TimeSpan.FromSeconds(15), ct);
        await frame.Locator("#buy").ClickAsync();
        var dialog = frame.Locator("#name-dialog");
        if (await dialog.IsVisibleAsync())
        {
            await frame.Locator("#name-input").FillAsync("Shop Buyer");
            await frame.Locator("#name-form button[type=submit]").ClickAsync();
        }
        await Assertions.Expect(frame.Locator("#buy-status")).ToContainTextAsync("confirmed");
        var pay = frame.Locator("#pay-now");
        await Assertions.Expect(pay).ToBeVisibleAsync();
        await Assertions.Expect(pay).ToHaveTextAsync("Pay now");
        await Assertions.Expect(pay).ToHaveAttributeAsync("href", Checkout);
        await Assertions.Expect(pay).ToHaveAttributeAsync("target", "_blank");
        var order = await page.EvaluateAsync<JsonElement>("() => window.received.find(m => m.type === 'relay:order')");
        Assert.Equal(("confirmed", Checkout), (order.GetProperty("status").GetString(), order.GetProperty("checkoutUrl").GetString()));
        var sent = orderApi.Orders[order.GetProperty("orderId").GetString()!];
        Assert.Equal("user_shop-buyer-7", sent.BuyerId);
        lock (hubTokens) Assert.DoesNotContain(rogueToken, hubTokens);

        // An origin not in Pages:FrameAncestors: the browser refuses to show the watch page in its frame.
        rogue.Pages["/framer.html"] = $"""<!doctype html><title>framer</title><iframe id="relay" src="{relayOrigin}/watch/demo"></iframe>""";
        var stranger = await chromium.NewPageAsync(rogue.BaseAddress, 900, 900);
        var strangerSockets = 0;
        stranger.WebSocket += (_, _) => Interlocked.Increment(ref strangerSockets);
        await stranger.GotoAsync("/framer.html");
        await Task.Delay(2000, ct);
        foreach (var f in stranger.Frames) Assert.Equal(0, await f.Locator("#buy").CountAsync());
        Assert.Equal(0, Volatile.Read(ref strangerSockets));
        Assert.Empty(chromium.PageErrors);
    }

    [Fact]
    public async Task A_token_in_the_url_fragment_signs_the_viewer_in_and_leaves_the_address_bar()
    {
        ChromiumSession.SkipIfMissing();
        var ct = TestContext.Current.CancellationToken;
        await using var server = await RelayTestServer.StartAsync($"--Relay:Auth:ViewerJwtKey={JwtKey}");
        await using var chromium = await ChromiumSession.StartAsync();
        var demo = server.Channels.Find("demo")!;
        await using var host = new HubConnectionBuilder()
            .WithUrl(new Uri(server.BaseAddress, "/hubs/live"), o => o.AccessTokenProvider = () => Task.FromResult<string?>(demo.HostKey))
            .AddMessagePackProtocol().Build();
        await host.StartAsync(ct);
        await host.InvokeAsync<JoinSnapshot>("Join", "demo", new JoinOptions(), ct);
        await host.InvokeAsync("Pin", "MUG-002", ct);

        var token = Token("frag-1", "Fran");
        var page = await chromium.NewPageAsync(server.BaseAddress, 390, 844, mobile: true);
        var hubTokens = new List<string>();
        page.WebSocket += (_, ws) =>
        {
            var query = new Uri(ws.Url).Query.TrimStart('?').Split('&').FirstOrDefault(p => p.StartsWith("access_token=", StringComparison.Ordinal));
            lock (hubTokens) hubTokens.Add(query is null ? "" : Uri.UnescapeDataString(query["access_token=".Length..]));
        };
        await page.GotoAsync("/watch/demo?ref=abc#token=" + Uri.EscapeDataString(token));
        await Assertions.Expect(page.Locator("#product-title")).ToHaveTextAsync("Stream-proof mug");
        Assert.Equal("", await page.EvaluateAsync<string>("() => location.hash"));
        Assert.DoesNotContain(token, page.Url, StringComparison.Ordinal);
        Assert.EndsWith("/watch/demo?ref=abc", page.Url, StringComparison.Ordinal);
        lock (hubTokens) Assert.Equal([token], hubTokens);

        await page.Locator("#buy").ClickAsync();
        if (await page.Locator("#name-dialog").IsVisibleAsync())
        {
            await page.Locator("#name-input").FillAsync("Fran");
            await page.Locator("#name-form button[type=submit]").ClickAsync();
        }
        await Assertions.Expect(page.Locator("#buy-status")).ToContainTextAsync("confirmed");
        using var admin = server.AdminClient();
        var orders = JsonDocument.Parse(await admin.GetStringAsync("/api/v1/channels/demo/orders", ct)).RootElement;
        Assert.Equal(["user_frag-1"], orders.EnumerateArray().Select(o => o.GetProperty("buyerId").GetString()));
        Assert.Empty(chromium.PageErrors);
    }

    private static string Token(string sub, string name) =>
        new JsonWebTokenHandler().CreateToken(new SecurityTokenDescriptor
        {
            Claims = new Dictionary<string, object> { ["sub"] = sub, ["name"] = name },
            Expires = DateTime.UtcNow.AddMinutes(30),
            SigningCredentials = new SigningCredentials(new SymmetricSecurityKey(Encoding.UTF8.GetBytes(JwtKey)), SecurityAlgorithms.HmacSha256),
        });
}
