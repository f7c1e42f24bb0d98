using System.Net;
using System.Text.Json;
using Microsoft.Playwright;
using Relay.Tests.Common;
using Relay.Tests.Common.Browser;
using Relay.Tests.Common.Hosts;
using Relay.Tests.Integration.Chat;

namespace Relay.Tests.EndToEnd.Browser;

/// <summary>
/// The watch page's Follow button and "Remind me" (issue 16) in a real chromium against the real host, in English and in
/// Chinese: a signed-in viewer (a shop's HS256 viewer JWT in the address fragment) follows, is reminded, reloads and still
/// follows, unfollows and follows again, each change dispatched as the DOM event `relay:follow`; a guest who taps Follow
/// is told to sign in. The followers list then has the viewer.
/// </summary>
public sealed class FollowButtonBrowserTests
{
    private const string JwtKey = "viewer-jwt-key-for-the-follow-page-0123456789";

    public static TheoryData<string> Languages => ["en-US", "zh-CN"];

    [Theory, MemberData(nameof(Languages))]
    public async Task A_signed_in_viewer_follows_and_is_reminded_and_a_guest_is_told_to_sign_in(string locale)
    {
        ChromiumSession.SkipIfMissing();
        var ct = TestContext.Current.CancellationToken;
        var zh = locale == "zh-CN";
        await using var server = await RelayTestServer.StartAsync($"--Relay:Auth:ViewerJwtKey={JwtKey}");
        await using var chromium = await ChromiumSession.StartAsync();
        using var admin = server.AdminClient();
        string hostKey;
        using (var created = await admin.PostAsync("/api/v1/channels", RelayServerTest.JsonBody("""{"id":"tea","title":"春茶专场"}"""), ct))
        {
            Assert.Equal(HttpStatusCode.Created, created.StatusCode);
            hostKey = JsonDocument.Parse(await created.Content.ReadAsStringAsync(ct)).RootElement.GetProperty("hostKey").GetString()!;
        }
        var nextShow = DateTimeOffset.UtcNow.AddDays(1).ToString("yyyy-MM-ddTHH:mm:ssZ");
        using (var patched = await admin.PatchAsync("/api/v1/channels/tea", RelayServerTest.JsonBody($$"""{"nextShowAt":"{{nextShow}}"}"""), ct))
            Assert.Equal(HttpStatusCode.OK, patched.StatusCode);

        var (follow, following, remind, reminded, signIn) = zh
            ? ("关注", "已关注", "开播提醒", "已设提醒", "请先登录商城")
            : ("Follow", "Following", "Remind me", "Reminder set", "Sign in to the shop");
        var jwt = PurchaseTests.Token("fan-" + locale, "粉丝", DateTime.UtcNow.AddMinutes(30), JwtKey);
        var page = await chromium.NewPageAsync(server.BaseAddress, 390, 844, mobile: true, locale: locale);
        await page.AddInitScriptAsync("window.__follows = []; window.addEventListener('relay:follow', e => window.__follows.push(e.detail.following));");
        await page.GotoAsync("/watch/tea#token=" + jwt);
        var button = page.Locator("#follow");
        await Assertions.Expect(button).ToHaveTextAsync(follow);
        await Assertions.Expect(button).ToHaveAttributeAsync("aria-pressed", "false");
        await Assertions.Expect(page.Locator("#remind")).ToHaveTextAsync(remind);
        Assert.DoesNotContain("token=", page.Url);
        if (zh) await VisibleText.AssertNoEnglishAsync(page);

        await button.ClickAsync();
        await Assertions.Expect(button).ToHaveTextAsync(following);
        await Assertions.Expect(button).ToHaveAttributeAsync("aria-pressed", "true");
        await page.Locator("#remind").ClickAsync();
        await Assertions.Expect(page.Locator("#remind")).ToHaveTextAsync(reminded);
        await Assertions.Expect(page.Locator("#remind")).ToBeDisabledAsync();
        if (zh) await VisibleText.AssertNoEnglishAsync(page);
        Assert.Equal(new[] { true }, await page.EvaluateAsync<bool[]>("() => window.__follows"));
        await Screenshots.SaveAsync(server, page, zh ? "watch-follow-zh.png" : "watch-follow.png");

        // A reload keeps the viewer signed in (the tab's sessionStorage) and the snapshot says it follows.
        await page.ReloadAsync();
        await Assertions.Expect(button).ToHaveTextAsync(following);
        await button.ClickAsync();
        await Assertions.Expect(button).ToHaveTextAsync(follow);
        await button.ClickAsync();
        await Assertions.Expect(button).ToHaveTextAsync(following);
        Assert.Equal(new[] { true, false, true }, await page.EvaluateAsync<bool[]>("() => window.__follows"));

        // A guest sees the button and is told, in words, to sign in.
        var guest = await chromium.NewPageAsync(server.BaseAddress, 390, 844, mobile: true, locale: locale);
        await guest.GotoAsync("/watch/tea");
        await Assertions.Expect(guest.Locator("#follow")).ToHaveTextAsync(follow);
        await guest.Locator("#follow").ClickAsync();
        await Assertions.Expect(guest.Locator("#follow-status")).ToContainTextAsync(signIn);
        await Assertions.Expect(guest.Locator("#follow")).ToHaveTextAsync(follow);
        if (zh) await VisibleText.AssertNoEnglishAsync(guest);

        using var list = await admin.GetAsync("/api/v1/channels/tea/followers", ct);
        using var json = JsonDocument.Parse(await list.Content.ReadAsStringAsync(ct));
        var item = Assert.Single(json.RootElement.GetProperty("items").EnumerateArray());
        Assert.Equal("user_fan-" + locale, item.GetProperty("buyerId").GetString());

        // The studio's Followers panel: the count and the follower's name.
        var studio = await chromium.NewPageAsync(server.BaseAddress, 1280, 900, locale: locale);
        await studio.GotoAsync("/studio/tea");
        await studio.Locator("#token-input").FillAsync(hostKey);
        await studio.Locator("#login-form button[type=submit]").ClickAsync();
        await Assertions.Expect(studio.Locator("#followers-count")).ToHaveTextAsync(zh ? "共 1 位" : "1 total");
        await studio.Locator("#followers-panel summary").ClickAsync();
        await Assertions.Expect(studio.Locator("#followers .follower-name")).ToHaveTextAsync("粉丝");
        await Assertions.Expect(studio.Locator("#followers-empty")).ToBeHiddenAsync();
    }
}
