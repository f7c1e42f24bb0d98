using System.Net;
using Microsoft.Playwright;
using Relay.Tests.Common.Browser;
using Relay.Tests.Common.Hosts;

namespace Relay.Tests.EndToEnd.Browser;

/// <summary>The watch page's Share button in a real headless chromium without the Web Share API: the sheet with the
/// viewer's link (`?ref=` = its share code), "Copy link" and the relay's QR code, in English and in Chinese.</summary>
public sealed class ShareSheetBrowserTests
{
    [Theory]
    [InlineData("en-US", "Share", "Copy link", "Link copied")]
    [InlineData("zh-CN", "分享", "复制链接", "链接已复制")]
    public async Task The_share_sheet_shows_the_viewers_link_copy_and_a_qr_code(string locale, string share, string copy, string copied)
    {
        ChromiumSession.SkipIfMissing();
        var ct = TestContext.Current.CancellationToken;
        await using var server = await RelayTestServer.StartAsync();
        await using var chromium = await ChromiumSession.StartAsync();
        using var admin = server.AdminClient();
        var created = await admin.PostAsync("/api/v1/channels", RelayServerTest.JsonBody("""{"id":"tea","title":"春茶专场"}"""), ct);
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);

        var page = await chromium.NewPageAsync(server.BaseAddress, 390, 844, mobile: true, permissions: ["clipboard-read", "clipboard-write"], locale: locale);
        // The sheet is what browsers without a system share sheet get (headless chromium on Linux has none; make sure).
        await page.AddInitScriptAsync("delete Navigator.prototype.share;");
        await page.GotoAsync("/watch/tea");
        var button = page.Locator("#share");
        await Assertions.Expect(button).ToBeVisibleAsync();
        await Assertions.Expect(button).ToHaveTextAsync(share);
        await button.ClickAsync();
        await Assertions.Expect(page.Locator("#share-dialog")).ToBeVisibleAsync();
        var link = await page.Locator("#share-link").InputValueAsync();
        Assert.Matches(@"/watch/tea\?ref=[a-z2-7]{10}$", link);
        await page.WaitForFunctionAsync("() => { const img = document.querySelector('#share-qr'); return img.complete && img.naturalWidth > 0; }");
        await Assertions.Expect(page.Locator("#share-copy")).ToHaveTextAsync(copy);
        await page.Locator("#share-copy").ClickAsync();
        await Assertions.Expect(page.Locator("#share-status")).ToHaveTextAsync(copied);
        Assert.Equal(link, await page.EvaluateAsync<string>("() => navigator.clipboard.readText()"));
        if (locale == "zh-CN") await VisibleText.AssertNoEnglishAsync(page);

        // The QR endpoint: SVG for a known channel and a well-formed code, a problem for anything else.
        using var http = server.Client();
        var code = link[^10..];
        var qr = await http.GetAsync($"/watch/tea/qr.svg?ref={code}", ct);
        Assert.Equal(HttpStatusCode.OK, qr.StatusCode);
        Assert.Equal("image/svg+xml", qr.Content.Headers.ContentType!.MediaType);
        Assert.Contains("<svg", await qr.Content.ReadAsStringAsync(ct), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.BadRequest, (await http.GetAsync("/watch/tea/qr.svg?ref=%3Cscript%3E", ct)).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await http.GetAsync($"/watch/nope/qr.svg?ref={code}", ct)).StatusCode);
        Assert.Empty(chromium.PageErrors);
    }
}
