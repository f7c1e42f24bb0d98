using System.Text.Json;
using Microsoft.Playwright;
using Relay.Tests.Common;
using Relay.Tests.Common.Browser;
using Relay.Tests.Common.Hosts;
using Relay.Tests.Common.Media;

namespace Relay.Tests.EndToEnd.Browser;

/// <summary>
/// The studio's "This show" box in a real browser, checked through the REST API and the public playback: the rehearsal
/// switch keeps a publish private while the host's preview plays, switching it off goes live at once (after a
/// confirmation), and the next show's time is saved for the offline viewer page. In English and in Chinese.
/// </summary>
public sealed class StudioShowBrowserTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Theory]
    [InlineData("en", "Rehearsal", "Live")]
    [InlineData("zh-CN", "彩排中", "直播中")]
    public async Task The_host_rehearses_privately_then_goes_live_from_the_studio_and_announces_the_next_show(string locale, string rehearsingBadge, string liveBadge)
    {
        ChromiumSession.SkipIfMissing();
        FfmpegAvailability.SkipIfMissing();
        await using var server = await RelayTestServer.StartAsync();
        await using var chromium = await ChromiumSession.StartAsync();
        var demo = server.Channels.Find("demo")!;
        using var admin = server.AdminClient();
        async Task<JsonElement> ChannelAsync() => JsonDocument.Parse(await admin.GetStringAsync("/api/v1/channels/demo", Ct)).RootElement;

        var studio = await chromium.NewPageAsync(server.BaseAddress, 1440, 900, locale: locale);
        studio.Dialog += async (_, dialog) => await dialog.AcceptAsync();
        await StudioSetupBrowserTests.SignInAsync(studio, demo.HostKey);

        // Rehearsal on before OBS starts: the API says so, the publish stays private.
        await studio.Locator("#rehearsal").CheckAsync();
        await Eventually.TrueAsync(async () => (await ChannelAsync()).GetProperty("rehearsal").GetBoolean(), "rehearsal on in the API", TimeSpan.FromSeconds(20), Ct);
        using var publisher = FfmpegPublisher.Start($"rtmp://127.0.0.1:{server.RtmpPort}/live/{demo.StreamKey}", seconds: 90, size: "360x640");
        await Assertions.Expect(studio.Locator("#live-badge")).ToHaveTextAsync(rehearsingBadge, new() { Timeout = 20_000 });
        await StudioSetupBrowserTests.AssertPreviewPlaysAsync(studio);
        Assert.False((await ChannelAsync()).GetProperty("live").GetBoolean());
        using (var anonymous = server.Client())
        using (var flv = await anonymous.GetAsync("/live/demo.flv", HttpCompletionOption.ResponseHeadersRead, Ct))
        {
            Assert.NotEqual(System.Net.HttpStatusCode.OK, flv.StatusCode);
        }
        if (locale == "zh-CN")
        {
            await VisibleText.AssertNoEnglishAsync(studio, [demo.Title, "CBR", "x264", demo.StreamKey[^4..], .. demo.Lineup.SelectMany(p => new[] { p.Title, p.Sku })]);
        }

        // Off (confirmed): public at once, the same publish, no reconnect.
        await studio.Locator("#rehearsal").UncheckAsync();
        await Assertions.Expect(studio.Locator("#live-badge")).ToHaveTextAsync(liveBadge, new() { Timeout = 20_000 });
        await Eventually.TrueAsync(async () => (await ChannelAsync()).GetProperty("live").GetBoolean(), "the channel public in the API", TimeSpan.FromSeconds(20), Ct);
        Assert.False((await ChannelAsync()).GetProperty("rehearsal").GetBoolean());

        // The next show: a local time two days ahead, saved as that instant.
        var at = DateTime.Now.AddDays(2).Date.AddHours(20);
        await studio.Locator("#next-show-input").FillAsync(at.ToString("yyyy-MM-ddTHH:mm"));
        await studio.Locator("#next-show-form button[type=submit]").ClickAsync();
        await Eventually.TrueAsync(async () => (await ChannelAsync()).TryGetProperty("nextShowAt", out var v) && v.ValueKind == JsonValueKind.String,
            "nextShowAt in the API", TimeSpan.FromSeconds(20), Ct);
        var saved = (await ChannelAsync()).GetProperty("nextShowAt").GetDateTimeOffset();
        Assert.Equal(new DateTimeOffset(at).ToUniversalTime(), saved.ToUniversalTime());
        await Assertions.Expect(studio.Locator("#next-show-status")).Not.ToBeEmptyAsync();
        await studio.Locator("#next-show-clear").ClickAsync();
        await Eventually.TrueAsync(async () => (await ChannelAsync()).GetProperty("nextShowAt").ValueKind == JsonValueKind.Null, "nextShowAt cleared", TimeSpan.FromSeconds(20), Ct);

        // The reports link leads to this channel's shows.
        Assert.Equal("/studio/demo/shows", await studio.Locator("#reports-link").GetAttributeAsync("href"));
        Assert.Empty(chromium.PageErrors);
    }
}
