using System.Globalization;
using System.Text.Json;
using Microsoft.Playwright;
using Relay.Tests.Common;
using Relay.Tests.Ingest;

namespace Relay.Tests.Browser;

/// <summary>
/// The viewer page and the studio in a real headless chromium against the real host, with a real ffmpeg
/// publishing where video matters.
/// </summary>
[Collection(RealFfmpegCollection.Name)]
public sealed class PagesBrowserTests
{
    private static readonly float PhoneWidth = 390, PhoneHeight = 844;

    [Fact]
    public async Task Viewer_page_plays_the_live_stream_and_reports_its_first_frame()
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
        await page.WaitForFunctionAsync("() => document.querySelector('#video').currentTime > 1", null, new() { Timeout = 20_000 });
        var t1 = await page.EvaluateAsync<double>("() => document.querySelector('#video').currentTime");
        await Task.Delay(1500, ct);
        var t2 = await page.EvaluateAsync<double>("() => document.querySelector('#video').currentTime");
        Assert.True(t2 - t1 > 0.8, $"currentTime went from {t1} to {t2}: the video is not playing");
        Assert.True(await page.Locator("#offline").IsHiddenAsync());

        var firstFrameMs = await page.EvaluateAsync<string>("() => document.querySelector('#video').dataset.firstFrameMs");
        Assert.False(string.IsNullOrEmpty(firstFrameMs), "the player never saw its first frame");
        TestContext.Current.SendDiagnosticMessage($"HTTP-FLV first frame {firstFrameMs} ms after navigation start");
        Assert.Empty(chromium.PageErrors);
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
