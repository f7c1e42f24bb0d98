using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Microsoft.AspNetCore.SignalR.Client;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using Relay.Chat.Contracts;
using Relay.Ingest.Consumers.Recording;
using Relay.Tests.Common;
using Relay.Tests.Common.Browser;
using Relay.Tests.Common.Media;
using Relay.Tests.Common.Hosts;
using Relay.Tests.Integration.Hls;

namespace Relay.Tests.EndToEnd.Browser;

/// <summary>
/// The replay page against a real recording: ffmpeg publishes while the host pins two products and starts a
/// flash sale through the hub, then the page plays the finished FLV and follows the timeline.
/// </summary>
[Collection(RealFfmpegCollection.Name)]
public sealed class ReplayPageTests
{
    private const string Video = "document.querySelector('#video')";

    [Fact]
    public async Task Replay_plays_a_recording_and_shows_the_product_that_was_on_screen_at_each_moment()
    {
        FfmpegAvailability.SkipIfMissing();
        ChromiumSession.SkipIfMissing();
        var ct = TestContext.Current.CancellationToken;
        await using var server = await RelayTestServer.StartAsync();
        await using var chromium = await ChromiumSession.StartAsync();
        var demo = server.Channels.Find("demo")!;
        var recordings = server.App.Services.GetRequiredService<RecordingService>();

        await using (var host = new HubConnectionBuilder()
            .WithUrl(new Uri(server.BaseAddress, "/hubs/live"), o => o.AccessTokenProvider = () => Task.FromResult<string?>(demo.HostKey))
            .AddMessagePackProtocol().Build())
        {
            await host.StartAsync(ct);
            await host.InvokeAsync<JoinSnapshot>("Join", "demo", new JoinOptions { DisplayName = "Host" }, ct);
            using var publisher = FfmpegPublisher.Start($"rtmp://127.0.0.1:{server.RtmpPort}/live/{demo.StreamKey}", seconds: 10);
            await HlsPlaybackTests.WaitUntilAsync(() => recordings.List("demo") is [{ InProgress: true }], TimeSpan.FromSeconds(15), "recording started");
            var show = Stopwatch.StartNew();
            await Task.Delay(TimeSpan.FromSeconds(2) - show.Elapsed, ct);
            await host.InvokeAsync("Pin", "TEE-001", ct);
            await Task.Delay(TimeSpan.FromSeconds(4.5) - show.Elapsed, ct);
            await host.InvokeAsync("Pin", "MUG-002", ct);
            await Task.Delay(TimeSpan.FromSeconds(6) - show.Elapsed, ct);
            await host.InvokeAsync("StartFlashSale", new FlashSaleRequest { Sku = "MUG-002", PriceCents = 999, Quantity = 5, DurationSeconds = 60 }, ct);
            await Task.Delay(TimeSpan.FromSeconds(7.5) - show.Elapsed, ct);
            await host.InvokeAsync("Unpin", ct);
            Assert.True(await publisher.WaitForExitAsync(TimeSpan.FromSeconds(20)), "ffmpeg did not finish its 10 s publish");
        }
        await HlsPlaybackTests.WaitUntilAsync(() => recordings.List("demo") is [{ InProgress: false }], TimeSpan.FromSeconds(15), "recording finalized");

        // Seek targets come from the recorded offsets (ingest start-up shifts them a little), checked against the plan.
        using var admin = server.AdminClient();
        var recording = recordings.List("demo").Single();
        var timeline = JsonDocument.Parse(await admin.GetStringAsync($"/recordings/demo/{recording.TimelineFileName}", ct)).RootElement;
        var offsets = timeline.GetProperty("events").EnumerateArray().Select(e => e.GetProperty("offsetSeconds").GetDouble()).ToArray();
        Assert.Equal(["pinned", "pinned", "flashSale", "unpinned"], timeline.GetProperty("events").EnumerateArray().Select(e => e.GetProperty("kind").GetString()));
        var (pinA, pinB, sale, unpin, duration) = (offsets[0], offsets[1], offsets[2], offsets[3], timeline.GetProperty("durationSeconds").GetDouble());
        Assert.InRange(pinA, 0.5, 3.5);
        Assert.InRange(pinB - pinA, 2.0, 3.0);
        Assert.InRange(sale - pinB, 1.0, 2.0);
        Assert.InRange(unpin - sale, 1.0, 2.0);
        Assert.True(duration - unpin > 1.0, $"the recording ({duration} s) ends too soon after the unpin ({unpin} s) to seek past it");

        var page = await chromium.NewPageAsync(server.BaseAddress, 1280, 800);
        var requestedUrls = new List<string>();
        page.Request += (_, r) => { lock (requestedUrls) requestedUrls.Add(r.Url); };
        await page.GotoAsync("/replay/demo");

        // A wrong key: a clear refusal, no list, and the page still asks for a key.
        await page.Locator("#token-input").FillAsync("hk_not-this-channel");
        await page.Locator("#login-form button[type=submit]").ClickAsync();
        await Assertions.Expect(page.Locator("#login-error")).ToContainTextAsync("doesn't open this channel's recordings");
        await Assertions.Expect(page.Locator("#recordings li")).ToHaveCountAsync(0);
        await Assertions.Expect(page.Locator("#replay")).ToBeHiddenAsync();
        Assert.Null(await page.EvaluateAsync<string?>("() => sessionStorage.getItem('relay.studio.token.demo')"));

        await page.Locator("#token-input").FillAsync(demo.HostKey);
        await page.Locator("#login-form button[type=submit]").ClickAsync();
        var item = page.Locator("#recordings li");
        await Assertions.Expect(item).ToHaveCountAsync(1);
        await Assertions.Expect(item).ToContainTextAsync(FormatDuration(recording.DurationSeconds!.Value));
        await Assertions.Expect(item).Not.ToContainTextAsync("Recording");
        await Assertions.Expect(page.Locator("#title")).ToHaveTextAsync("Relay demo show");

        await item.Locator("button").ClickAsync();
        await Assertions.Expect(page.Locator("#events li")).ToHaveCountAsync(4);
        await Assertions.Expect(page.Locator("#events li").Nth(0)).ToContainTextAsync("Pinned Relay logo tee");
        await Assertions.Expect(page.Locator("#events li").Nth(1)).ToContainTextAsync("Pinned Stream-proof mug");
        await Assertions.Expect(page.Locator("#events li").Nth(2)).ToContainTextAsync("Flash sale: Stream-proof mug at $9.99 × 5");
        await Assertions.Expect(page.Locator("#events li").Nth(3)).ToContainTextAsync("Unpinned");

        // Playing: currentTime moves on between two looks.
        await page.WaitForFunctionAsync($"() => {Video}.currentTime > 0.3 && !{Video}.paused", null, new() { Timeout = 20_000 });
        var before = await page.EvaluateAsync<double>($"() => {Video}.currentTime");
        await Task.Delay(1000, ct);
        var after = await page.EvaluateAsync<double>($"() => {Video}.currentTime");
        Assert.True(after - before > 0.5, $"currentTime went from {before} to {after}: the recording is not playing");

        // Paused, so the position stays where the test put it while it looks.
        await page.EvaluateAsync($"() => {Video}.pause()");
        await SeekAsync(page, pinA / 2);
        await Assertions.Expect(page.Locator("#product-none")).ToBeVisibleAsync();
        await Assertions.Expect(page.Locator("#product-card")).ToBeHiddenAsync();
        await Assertions.Expect(page.Locator("#sale-card")).ToBeHiddenAsync();

        await SeekAsync(page, (pinA + pinB) / 2);
        await Assertions.Expect(page.Locator("#product-title")).ToHaveTextAsync("Relay logo tee");
        await Assertions.Expect(page.Locator("#product-price")).ToHaveTextAsync("$25.00");
        await Assertions.Expect(page.Locator("#product-none")).ToBeHiddenAsync();

        await SeekAsync(page, (pinB + sale) / 2);
        await Assertions.Expect(page.Locator("#product-title")).ToHaveTextAsync("Stream-proof mug");
        await Assertions.Expect(page.Locator("#sale-card")).ToBeHiddenAsync();

        await SeekAsync(page, (sale + unpin) / 2);
        await Assertions.Expect(page.Locator("#product-title")).ToHaveTextAsync("Stream-proof mug");
        await Assertions.Expect(page.Locator("#sale-card")).ToBeVisibleAsync();
        await Assertions.Expect(page.Locator("#sale-price")).ToHaveTextAsync("$9.99");
        await Assertions.Expect(page.Locator("#sale-quantity")).ToHaveTextAsync("5 at this price");
        await Assertions.Expect(page.Locator("#events li").Nth(2).Locator("button")).ToHaveClassAsync(new System.Text.RegularExpressions.Regex(@"\bcurrent\b"));
        var shot = await Screenshots.SaveAsync(server, page, "replay-desktop.png");
        Assert.True(new FileInfo(shot).Length > 10_000);

        // After the unpin the card is gone but the sale, still running, stays.
        await SeekAsync(page, (unpin + duration) / 2);
        await Assertions.Expect(page.Locator("#product-card")).ToBeHiddenAsync();
        await Assertions.Expect(page.Locator("#product-none")).ToBeHiddenAsync();
        await Assertions.Expect(page.Locator("#sale-card")).ToBeVisibleAsync();
        await Assertions.Expect(page.Locator("#sale-title")).ToHaveTextAsync("Stream-proof mug");

        // Clicking an event seeks to it (and plays on from there).
        await page.Locator("#events li").Nth(0).Locator("button").ClickAsync();
        var landed = await page.EvaluateAsync<double>($"() => {Video}.currentTime");
        Assert.InRange(landed, pinA - 0.05, pinA + 1.0);
        await Assertions.Expect(page.Locator("#product-title")).ToHaveTextAsync("Relay logo tee");

        // Phone width: the panel is still there under the video.
        await page.SetViewportSizeAsync(390, 844);
        await Assertions.Expect(page.Locator("#product-title")).ToBeInViewportAsync(new() { Ratio = 0 });
        Assert.True(await page.EvaluateAsync<bool>("() => document.documentElement.scrollWidth <= window.innerWidth"), "the page scrolls sideways on a phone");

        lock (requestedUrls)
        {
            Assert.Contains(requestedUrls, u => u.EndsWith($"/recordings/demo/{recording.FileName}", StringComparison.Ordinal));
            Assert.DoesNotContain(requestedUrls, u => u.Contains(demo.HostKey, StringComparison.Ordinal) || u.Contains("hk_not-this-channel", StringComparison.Ordinal));
        }
        Assert.DoesNotContain(demo.HostKey, server.Logs.All, StringComparison.Ordinal);
        Assert.Empty(chromium.PageErrors);
    }

    [Fact]
    public async Task Replay_of_an_unknown_channel_is_the_not_found_page()
    {
        await using var server = await RelayTestServer.StartAsync();
        using var client = server.Client();
        var response = await client.GetAsync("/replay/no-such-show", TestContext.Current.CancellationToken);
        Assert.Equal(System.Net.HttpStatusCode.NotFound, response.StatusCode);
        Assert.Contains("doesn't exist", await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken), StringComparison.Ordinal);
        var known = await client.GetAsync("/replay/demo", TestContext.Current.CancellationToken);
        Assert.Equal(System.Net.HttpStatusCode.OK, known.StatusCode);
        Assert.Contains("script-src 'self'", known.Headers.GetValues("Content-Security-Policy").Single(), StringComparison.Ordinal);
    }

    private static async Task SeekAsync(IPage page, double seconds)
    {
        var at = seconds.ToString(CultureInfo.InvariantCulture);
        await page.EvaluateAsync($"() => {{ {Video}.currentTime = {at}; }}");
        await page.WaitForFunctionAsync($"() => !{Video}.seeking && Math.abs({Video}.currentTime - {at}) < 0.2", null, new() { Timeout = 10_000 });
    }

    /// <summary>The page's m:ss.</summary>
    private static string FormatDuration(double seconds)
    {
        var s = (int)Math.Floor(seconds);
        return $"{s / 60}:{s % 60:00}";
    }
}
