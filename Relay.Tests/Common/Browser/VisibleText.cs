using System.Text.RegularExpressions;
using Microsoft.Playwright;

namespace Relay.Tests.Common.Browser;

/// <summary>
/// What a person sees on a page: the visible text, the title and the placeholder / aria-label / title / alt of visible
/// elements, but not the literal values shown in <c>&lt;code&gt;</c> (stream keys, URLs). Used to fail a zh-CN page on
/// any English word left in it.
/// </summary>
internal static partial class VisibleText
{
    /// <summary>
    /// Words every language writes in Latin letters: product and protocol names, units, OBS's own terms.
    /// A page-specific allowance (a product title the test created, a channel id) goes in <c>allowed</c>.
    /// </summary>
    public static readonly IReadOnlySet<string> Universal = new HashSet<string>(StringComparer.OrdinalIgnoreCase)
    {
        "Relay", "OBS", "Studio", "RTMP", "RTMPS", "SRT", "HLS", "FLV", "HTTP", "HTTPS", "URL", "API", "CSV", "GMV", "SKU",
        "AAC", "H264", "HEVC", "AV1", "fps", "kbps", "Kbps", "Mbps", "English", "Douyin", "Kuaishou", "Bilibili", "Taobao",
        "YouTube", "Twitch", "Facebook", "TikTok", "Weixin", "Channels", "Huya", "Douyu", "Weibo", "Xiaohongshu", "Yizhibo",
        "live", "rtmp", "https", "http", "www", "com", "studio", "watch", "replay", "flv", "m3u8", "index", "CNY", "USD",
    };

    /// <summary>Every text a person can read on the page now, one entry per node or attribute.</summary>
    public static async Task<IReadOnlyList<string>> ReadAsync(IPage page) =>
        await page.EvaluateAsync<string[]>("""
            () => {
              const out = [document.title];
              const visible = el => !!(el.offsetWidth || el.offsetHeight || el.getClientRects().length)
                && getComputedStyle(el).visibility !== "hidden";
              const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
              for (let n = walker.nextNode(); n; n = walker.nextNode()) {
                const parent = n.parentElement;
                // <code> holds literal machine values (keys, URLs): random letters in a key are not English left.
                if (!parent || ["SCRIPT", "STYLE", "NOSCRIPT", "OPTION"].includes(parent.tagName) || parent.closest("code")) continue;
                if (n.textContent.trim() && visible(parent)) out.push(n.textContent.trim());
              }
              for (const el of document.body.querySelectorAll("[placeholder],[aria-label],[title],[alt]")) {
                if (!visible(el)) continue;
                for (const a of ["placeholder", "aria-label", "title", "alt"]) {
                  const v = el.getAttribute(a);
                  if (v && v.trim()) out.push(v.trim());
                }
              }
              for (const el of document.body.querySelectorAll("input[type=submit],input[type=button]")) {
                if (visible(el) && el.value) out.push(el.value);
              }
              return out;
            }
            """);

    /// <summary>The texts that hold an English word (three letters or more) not in the universal or the page's allowance.</summary>
    public static async Task<IReadOnlyList<string>> EnglishLeftAsync(IPage page, params string[] allowed)
    {
        var allow = new HashSet<string>(Universal, StringComparer.OrdinalIgnoreCase);
        foreach (var text in allowed)
        {
            foreach (Match word in Word().Matches(text)) allow.Add(word.Value);
        }
        var texts = await ReadAsync(page);
        return [.. texts.Where(text => Word().Matches(text).Any(w => !allow.Contains(w.Value))).Distinct()];
    }

    /// <summary>Fails with every English text found on the page (a zh-CN page must have none).</summary>
    public static async Task AssertNoEnglishAsync(IPage page, params string[] allowed)
    {
        var left = await EnglishLeftAsync(page, allowed);
        Assert.True(left.Count == 0, $"English left on the {await page.EvaluateAsync<string>("document.documentElement.lang")} page {page.Url}:\n  " +
            string.Join("\n  ", left));
    }

    [GeneratedRegex("[A-Za-z]{3,}")]
    private static partial Regex Word();
}
