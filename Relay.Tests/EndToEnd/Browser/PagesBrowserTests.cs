using System.Globalization;
using System.Text.Json;
using Microsoft.Playwright;
using Relay.Tests.Common;
using Relay.Tests.Common.Browser;
using Relay.Tests.Common.Hosts;
using Relay.Tests.Common.Media;

namespace Relay.Tests.EndToEnd.Browser;

/// <summary>
/// The viewer page and the studio in a real headless chromium against the real host, with a real ffmpeg
/// publishing where video matters.
/// </summary>
[Collection(RealFfmpegCollection.Name)]
public sealed class PagesBrowserTests
{
    private static readonly float PhoneWidth = 390, PhoneHeight = 844;

    [Fact]
    public async Task Viewer_page_plays_the_live_stream_and_comes_back_after_the_encoder_drops()
    {
        FfmpegAvailability.SkipIfMissing();
        ChromiumSession.SkipIfMissing();
        var ct = TestContext.Current.CancellationToken;
        await using var server = await RelayTestServer.StartAsync();
        await using var chromium = await ChromiumSession.StartAsync();
        var demo = server.Channels.Find("demo")!;

        using var publisher = FfmpegPublisher.Start($"rtmp://127.0.0.1:{server.RtmpPort}/live/{demo.StreamKey}", seconds: 40);
        await WaitForLiveAsync(server, ct);

        var page = await chromium.NewPageAsync(server.BaseAddress, (int)PhoneWidth, (int)PhoneHeight, mobile: true);
        await page.GotoAsync("/watch/demo");
        await Assertions.Expect(page.Locator("#live-badge")).ToHaveTextAsync("Live");

        // Playing means frames keep coming: currentTime moves on between two looks a second apart.
        await AssertPlayingAsync(page, ct);
        Assert.True(await page.Locator("#offline").IsHiddenAsync());

        var firstFrameMs = await page.EvaluateAsync<string>("() => document.querySelector('#video').dataset.firstFrameMs");
        Assert.False(string.IsNullOrEmpty(firstFrameMs), "the player never saw its first frame");

        // The encoder drops out: the page says so, and plays again by itself when the stream returns.
        publisher.Dispose();
        await Assertions.Expect(page.Locator("#live-badge")).ToHaveTextAsync("Offline");
        await Assertions.Expect(page.Locator("#offline")).ToBeVisibleAsync();
        using var again = FfmpegPublisher.Start($"rtmp://127.0.0.1:{server.RtmpPort}/live/{demo.StreamKey}", seconds: 40);
        await Assertions.Expect(page.Locator("#live-badge")).ToHaveTextAsync("Live", new() { Timeout = 20_000 });
        await Assertions.Expect(page.Locator("#offline")).ToBeHiddenAsync(new() { Timeout = 20_000 });
        await AssertPlayingAsync(page, ct);
        Assert.Empty(chromium.PageErrors);
    }

    [Fact]
    public async Task Viewer_page_plays_hls_when_asked_to_as_browsers_without_mse_do()
    {
        FfmpegAvailability.SkipIfMissing();
        ChromiumSession.SkipIfMissing();
        var ct = TestContext.Current.CancellationToken;
        await using var server = await RelayTestServer.StartAsync();
        await using var chromium = await ChromiumSession.StartAsync();
        var demo = server.Channels.Find("demo")!;

        using var publisher = FfmpegPublisher.Start($"rtmp://127.0.0.1:{server.RtmpPort}/live/{demo.StreamKey}", seconds: 40);
        await WaitForLiveAsync(server, ct);

        // ?player=hls takes the path of iOS Safari and other browsers without MSE live playback: the
        // HLS playlist and its TS segments, through hls.js here.
        var hlsRequests = 0;
        var page = await chromium.NewPageAsync(server.BaseAddress, (int)PhoneWidth, (int)PhoneHeight, mobile: true);
        page.Request += (_, r) => { if (r.Url.Contains("/live/demo/", StringComparison.Ordinal)) Interlocked.Increment(ref hlsRequests); };
        await page.GotoAsync("/watch/demo?player=hls");
        await AssertPlayingAsync(page, ct);
        Assert.True(hlsRequests >= 2, $"the page made {hlsRequests} HLS requests: it did not play HLS");
        Assert.Empty(chromium.PageErrors);
    }

    [Fact]
    public async Task Chat_typed_in_one_page_appears_in_another_as_text_never_as_html()
    {
        ChromiumSession.SkipIfMissing();
        var ct = TestContext.Current.CancellationToken;
        await using var server = await RelayTestServer.StartAsync();
        await using var chromium = await ChromiumSession.StartAsync();

        var ann = await chromium.NewPageAsync(server.BaseAddress, (int)PhoneWidth, (int)PhoneHeight, mobile: true);
        var bob = await chromium.NewPageAsync(server.BaseAddress, (int)PhoneWidth, (int)PhoneHeight, mobile: true);
        var dialogs = 0;
        bob.Dialog += (_, d) => { Interlocked.Increment(ref dialogs); _ = d.DismissAsync(); };
        ann.Dialog += (_, d) => { Interlocked.Increment(ref dialogs); _ = d.DismissAsync(); };
        await ann.GotoAsync("/watch/demo");
        await bob.GotoAsync("/watch/demo");
        await Assertions.Expect(ann.Locator("#title")).ToHaveTextAsync("Relay demo show");
        await Assertions.Expect(bob.Locator("#title")).ToHaveTextAsync("Relay demo show");
        await Assertions.Expect(ann.Locator("#offline")).ToBeVisibleAsync();

        // The first message asks for a name, then goes out under it.
        await ann.Locator("#chat-input").FillAsync("Does it come in red?");
        await ann.Locator("#chat-form button[type=submit]").ClickAsync();
        await ann.Locator("#name-input").FillAsync("Ann");
        await ann.Locator("#name-form button[type=submit]").ClickAsync();
        var annLine = bob.Locator("#messages li", new() { HasText = "Does it come in red?" });
        await Assertions.Expect(annLine).ToHaveCountAsync(1);
        await Assertions.Expect(annLine.Locator(".message-name")).ToHaveTextAsync("Ann");

        const string html = "<img src=x onerror=alert(1)>";
        await ann.Locator("#chat-input").FillAsync(html);
        await ann.Locator("#chat-form button[type=submit]").ClickAsync();
        var htmlLine = bob.Locator("#messages li .message-text", new() { HasText = "onerror" });
        await Assertions.Expect(htmlLine).ToHaveTextAsync(html);
        await Assertions.Expect(ann.Locator("#messages li .message-text", new() { HasText = "onerror" })).ToHaveTextAsync(html);
        Assert.Equal(0, await bob.Locator("#messages img").CountAsync());
        Assert.Equal(0, await ann.Locator("#messages img").CountAsync());
        await Task.Delay(300, ct); // an onerror handler would have fired by now
        Assert.Equal(0, Volatile.Read(ref dialogs));

        // A late joiner gets the same lines from the Join snapshot, rendered the same way.
        var carol = await chromium.NewPageAsync(server.BaseAddress, (int)PhoneWidth, (int)PhoneHeight, mobile: true);
        await carol.GotoAsync("/watch/demo");
        await Assertions.Expect(carol.Locator("#messages li .message-text", new() { HasText = "onerror" })).ToHaveTextAsync(html);
        Assert.Equal(0, await carol.Locator("#messages img").CountAsync());
        Assert.Empty(chromium.PageErrors);
    }

    [Fact]
    public async Task Host_pins_and_runs_a_flash_sale_in_the_studio_and_a_viewer_buys_it()
    {
        FfmpegAvailability.SkipIfMissing();
        ChromiumSession.SkipIfMissing();
        var ct = TestContext.Current.CancellationToken;
        // The host adds a destination on loopback (nothing listens there) to see its last error: not about the address policy.
        await using var server = await RelayTestServer.StartAsync("--Relay:Egress:AllowPrivateDestinations=true");
        await using var chromium = await ChromiumSession.StartAsync();
        var demo = server.Channels.Find("demo")!;
        using var publisher = FfmpegPublisher.Start($"rtmp://127.0.0.1:{server.RtmpPort}/live/{demo.StreamKey}", seconds: 60, size: "360x640");

        var studio = await chromium.NewPageAsync(server.BaseAddress, 1440, 900, permissions: ["clipboard-read", "clipboard-write"]);
        await studio.GotoAsync("/studio/demo");
        await Assertions.Expect(studio.Locator("#login")).ToBeVisibleAsync();
        await studio.Locator("#token-input").FillAsync("hk_wrong");
        await studio.Locator("#login-form button[type=submit]").ClickAsync();
        await Assertions.Expect(studio.Locator("#login-error")).ToContainTextAsync("host key");
        await studio.Locator("#token-input").FillAsync(demo.HostKey);
        await studio.Locator("#login-form button[type=submit]").ClickAsync();
        await Assertions.Expect(studio.Locator("#studio")).ToBeVisibleAsync();
        Assert.DoesNotContain(demo.HostKey, studio.Url, StringComparison.Ordinal);
        await Assertions.Expect(studio.Locator("#ingest-url")).ToHaveTextAsync($"rtmp://127.0.0.1:{server.RtmpPort}/live");
        await Assertions.Expect(studio.Locator("#lineup li")).ToHaveCountAsync(4);

        // The stream key is never on screen; "Copy key" fetches it through the explicit reveal into the clipboard.
        Assert.DoesNotContain(demo.StreamKey, await studio.ContentAsync(), StringComparison.Ordinal);
        await studio.Locator("#copy-key").ClickAsync();
        await Assertions.Expect(studio.Locator("#copy-status")).ToHaveTextAsync("Stream key copied.");
        Assert.Equal(demo.StreamKey, await studio.EvaluateAsync<string>("() => navigator.clipboard.readText()"));
        Assert.DoesNotContain(demo.StreamKey, await studio.ContentAsync(), StringComparison.Ordinal);

        var viewer = await chromium.NewPageAsync(server.BaseAddress, (int)PhoneWidth, (int)PhoneHeight, mobile: true);
        await viewer.GotoAsync("/watch/demo?ref=creator-7");
        await Assertions.Expect(viewer.Locator("#title")).ToHaveTextAsync("Relay demo show");
        await Assertions.Expect(viewer.Locator("#product")).ToBeHiddenAsync();

        // Pin: the viewer's card follows the studio.
        await studio.Locator("#lineup li[data-sku='MUG-002'] button").ClickAsync();
        await Assertions.Expect(viewer.Locator("#product-title")).ToHaveTextAsync("Stream-proof mug");
        await Assertions.Expect(viewer.Locator("#product-price")).ToHaveTextAsync("$18.00");
        await Assertions.Expect(viewer.Locator("#product-stock")).ToHaveTextAsync("30 left");
        await Assertions.Expect(studio.Locator("#lineup li[data-sku='MUG-002'] button")).ToHaveTextAsync("Unpin");
        await studio.Locator("#lineup li[data-sku='TEE-001'] button").ClickAsync();
        await Assertions.Expect(viewer.Locator("#product-title")).ToHaveTextAsync("Relay logo tee");

        // Flash sale on the tee: price, countdown and remaining stock on the viewer's card.
        await studio.Locator("#sale-sku").SelectOptionAsync("TEE-001");
        await studio.Locator("#sale-form input[name=price]").FillAsync("9.99");
        await studio.Locator("#sale-form input[name=quantity]").FillAsync("5");
        await studio.Locator("#sale-form input[name=minutes]").FillAsync("2");
        await studio.Locator("#sale-start").ClickAsync();
        await Assertions.Expect(viewer.Locator("#sale-banner")).ToBeVisibleAsync();
        await Assertions.Expect(viewer.Locator("#product-price")).ToHaveTextAsync("$9.99");
        await Assertions.Expect(viewer.Locator("#product-was")).ToHaveTextAsync("$25.00");
        await Assertions.Expect(viewer.Locator("#product-stock")).ToHaveTextAsync("Only 5 of 5 left at this price");
        await Assertions.Expect(viewer.Locator("#sale-countdown")).ToHaveTextAsync(new System.Text.RegularExpressions.Regex("^0[12]:[0-5][0-9]$"));

        // The viewer buys two: confirmation for the buyer, stock for the room, the order in the studio's ticker.
        await viewer.Locator(".qty-step[data-step='1']").ClickAsync();
        await viewer.Locator("#buy").ClickAsync();
        await viewer.Locator("#name-input").FillAsync("Ann");
        await viewer.Locator("#name-form button[type=submit]").ClickAsync();
        await Assertions.Expect(viewer.Locator("#buy-status")).ToContainTextAsync("confirmed");
        await Assertions.Expect(viewer.Locator("#product-stock")).ToHaveTextAsync("Only 3 of 5 left at this price");
        var order = studio.Locator("#orders li.order");
        await Assertions.Expect(order).ToHaveCountAsync(1);
        await Assertions.Expect(order.Locator(".order-what")).ToHaveTextAsync("2 × Relay logo tee");
        await Assertions.Expect(order.Locator(".order-amount")).ToHaveTextAsync("$19.98");
        await Assertions.Expect(order.Locator(".chip-confirmed")).ToHaveTextAsync("confirmed");
        await Assertions.Expect(studio.Locator("#sales-total")).ToHaveTextAsync("$19.98");
        await Assertions.Expect(studio.Locator("#sale-status")).ToContainTextAsync("3 of 5 left");

        using var admin = server.AdminClient();
        var orders = JsonDocument.Parse(await admin.GetStringAsync("/api/v1/channels/demo/orders", ct)).RootElement;
        Assert.Equal("creator-7", orders[0].GetProperty("referrer").GetString());

        // Moderation from the studio reaches the viewer: a deleted line disappears.
        await viewer.Locator("#chat-input").FillAsync("first!!!");
        await viewer.Locator("#chat-form button[type=submit]").ClickAsync();
        var line = studio.Locator("#messages li", new() { HasText = "first!!!" });
        await line.Locator("button", new() { HasText = "Delete" }).ClickAsync();
        await Assertions.Expect(viewer.Locator("#messages li", new() { HasText = "first!!!" })).ToHaveCountAsync(0);

        // A destination added from the form shows its state and last error (nothing listens there), and
        // the toggle disables it through the API.
        await studio.Locator("#dest-add").ClickAsync();
        await studio.Locator("#dest-platform").SelectOptionAsync("custom");
        await studio.Locator("#dest-form input[name=name]").FillAsync("Backup ingest");
        await studio.Locator("#dest-url").FillAsync("not a url");
        await studio.Locator("#dest-form button[type=submit]").ClickAsync();
        await Assertions.Expect(studio.Locator("#dest-form [data-error-for=url]")).ToContainTextAsync("rtmp://");
        await studio.Locator("#dest-url").FillAsync($"rtmp://127.0.0.1:{FreePort.Next()}/live");
        await studio.Locator("#dest-form input[name=streamKey]").FillAsync("backup-secret-key");
        await studio.Locator("#dest-form button[type=submit]").ClickAsync();
        var dest = studio.Locator("#destinations li.dest");
        await Assertions.Expect(dest).ToHaveCountAsync(1);
        await Assertions.Expect(dest.Locator(".chip")).ToHaveTextAsync(new System.Text.RegularExpressions.Regex("^(retrying|failed)$"), new() { Timeout = 20_000 });
        await Assertions.Expect(dest.Locator("p.error")).ToContainTextAsync("refused");
        Assert.DoesNotContain("backup-secret-key", await studio.ContentAsync(), StringComparison.Ordinal);
        await dest.Locator("input[role=switch]").ClickAsync();
        await Assertions.Expect(dest.Locator(".chip")).ToHaveTextAsync("disabled");
        await dest.Locator("input[role=switch]").ClickAsync();
        await Assertions.Expect(dest.Locator(".chip")).Not.ToHaveTextAsync("disabled");

        // Mute from the studio: the muted viewer's next message is refused with a sentence, not an error code.
        var troll = await chromium.NewPageAsync(server.BaseAddress, (int)PhoneWidth, (int)PhoneHeight, mobile: true);
        await troll.GotoAsync("/watch/demo");
        await troll.Locator("#chat-input").FillAsync("spam spam");
        await troll.Locator("#chat-form button[type=submit]").ClickAsync();
        await troll.Locator("#name-input").FillAsync("Troll");
        await troll.Locator("#name-form button[type=submit]").ClickAsync();
        await studio.Locator("#messages li", new() { HasText = "spam spam" }).Locator("button", new() { HasText = "Mute" }).ClickAsync();
        await Assertions.Expect(studio.Locator("#toasts")).ToContainTextAsync("Troll is muted for 10 minutes");
        await troll.Locator("#chat-input").FillAsync("more spam");
        await troll.Locator("#chat-form button[type=submit]").ClickAsync();
        await Assertions.Expect(troll.Locator("#chat-status")).ToContainTextAsync("The host has muted you");
        await Assertions.Expect(studio.Locator("#messages li", new() { HasText = "more spam" })).ToHaveCountAsync(0);
        await studio.Locator("#messages li", new() { HasText = "spam spam" }).Locator("button", new() { HasText = "Delete" }).ClickAsync();
        await troll.CloseAsync();

        // The studio's live stats come from the API poll while ffmpeg publishes.
        await Assertions.Expect(studio.Locator("#st-res")).ToHaveTextAsync("360×640", new() { Timeout = 20_000 });
        await Assertions.Expect(studio.Locator("#live-badge")).ToHaveTextAsync("Live");
        await Assertions.Expect(viewer.Locator("#live-badge")).ToHaveTextAsync("Live");

        await Screenshots.TakeAsync(server, studio, viewer, ct);
        Assert.Empty(chromium.PageErrors);
    }

    [Fact]
    public async Task Unknown_channel_pages_answer_404_with_a_page()
    {
        ChromiumSession.SkipIfMissing();
        await using var server = await RelayTestServer.StartAsync();
        await using var chromium = await ChromiumSession.StartAsync();
        var page = await chromium.NewPageAsync(server.BaseAddress, 800, 600);
        var watch = await page.GotoAsync("/watch/nope");
        Assert.Equal(404, watch!.Status);
        await Assertions.Expect(page.Locator("h1")).ToHaveTextAsync("This show doesn't exist");
        var studio = await page.GotoAsync("/studio/nope");
        Assert.Equal(404, studio!.Status);

        // A browser set to Chinese gets the page in Chinese, and nothing English is left on it.
        var chinese = await chromium.NewPageAsync(server.BaseAddress, 390, 844, mobile: true, locale: "zh-CN");
        var zh = await chinese.GotoAsync("/watch/nope");
        Assert.Equal(404, zh!.Status);
        Assert.Contains("Accept-Language", zh.Headers["vary"], StringComparison.Ordinal);
        await Assertions.Expect(chinese.Locator("html")).ToHaveAttributeAsync("lang", "zh-CN");
        await Assertions.Expect(chinese.Locator("h1")).ToHaveTextAsync("这个直播间不存在");
        await VisibleText.AssertNoEnglishAsync(chinese);

        // The picker saves the choice: English from then on, whatever the browser says, until ?lang= asks otherwise.
        await chinese.Locator(".lang-picker").SelectOptionAsync("en");
        await Assertions.Expect(chinese.Locator("h1")).ToHaveTextAsync("This show doesn't exist");
        await Assertions.Expect(chinese.Locator("html")).ToHaveAttributeAsync("lang", "en");
        await chinese.GotoAsync("/studio/nope?lang=zh-CN");
        await Assertions.Expect(chinese.Locator("h1")).ToHaveTextAsync("这个直播间不存在");
        Assert.Empty(chromium.PageErrors);
    }

    private static async Task AssertPlayingAsync(IPage page, CancellationToken ct)
    {
        // Frames, not just a started element: presented-frame count and currentTime both move on.
        await page.WaitForFunctionAsync("() => { const v = document.querySelector('#video'); return !v.paused && v.readyState >= 3; }", null, new() { Timeout = 20_000 });
        const string sample = "() => { const v = document.querySelector('#video'); return [v.currentTime, v.getVideoPlaybackQuality().totalVideoFrames]; }";
        var before = await page.EvaluateAsync<double[]>(sample);
        await Task.Delay(1500, ct);
        var after = await page.EvaluateAsync<double[]>(sample);
        Assert.True(after[0] - before[0] > 0.8, $"currentTime went from {before[0]} to {after[0]}: the video is not playing");
        Assert.True(after[1] - before[1] > 20, $"only {after[1] - before[1]} frames were decoded in 1.5 s");
    }

    internal static async Task WaitForLiveAsync(RelayTestServer server, CancellationToken ct)
    {
        using var admin = server.AdminClient();
        for (var i = 0; i < 100; i++)
        {
            var channel = JsonDocument.Parse(await admin.GetStringAsync("/api/v1/channels/demo", ct)).RootElement;
            if (channel.GetProperty("live").GetBoolean())
            {
                return;
            }
            await Task.Delay(150, ct);
        }
        Assert.Fail("the channel did not go live within 15 s of ffmpeg starting to publish");
    }
}
