using Microsoft.Net.Http.Headers;

namespace Relay.Server.Pages;

/// <summary>
/// The language a page is served in (contract v2 "Languages"): <c>?lang=</c>, then the saved choice (the
/// <c>relay_lang</c> cookie the pages' language picker sets), then <c>Accept-Language</c>, else English. Any Chinese
/// tag reads zh-CN (the only Chinese the pages carry), any English tag en.
/// </summary>
public static class PageLanguage
{
    public const string Cookie = "relay_lang";
    public const string Default = "en";

    public static IReadOnlyList<string> Supported { get; } = ["zh-CN", "en"];

    public static string Resolve(HttpRequest request)
    {
        if (Normalize(request.Query["lang"].ToString()) is { } asked)
        {
            return asked;
        }
        if (request.Cookies.TryGetValue(Cookie, out var saved) && Normalize(saved) is { } chosen)
        {
            return chosen;
        }
        var accepted = request.GetTypedHeaders().AcceptLanguage;
        foreach (var range in accepted.OrderByDescending(r => r.Quality ?? 1.0))
        {
            if (range.Quality is 0)
            {
                continue;
            }
            if (Normalize(range.Value.Value) is { } preferred)
            {
                return preferred;
            }
        }
        return Default;
    }

    /// <summary>A supported language for a tag, or null: zh, zh-CN, zh-Hans-CN, zh-TW → zh-CN; en, en-GB → en.</summary>
    public static string? Normalize(string? tag)
    {
        if (string.IsNullOrWhiteSpace(tag) || tag.Length > 35)
        {
            return null;
        }
        var primary = tag.Split('-', '_')[0];
        if (primary.Equals("zh", StringComparison.OrdinalIgnoreCase))
        {
            return "zh-CN";
        }
        if (primary.Equals("en", StringComparison.OrdinalIgnoreCase))
        {
            return "en";
        }
        return null;
    }

    /// <summary>The page's markup with its <c>&lt;html lang&gt;</c> set to the language.</summary>
    public static string Apply(string html, string language)
    {
        const string Marker = "<html lang=\"en\">";
        var at = html.IndexOf(Marker, StringComparison.Ordinal);
        return at < 0 ? html : string.Concat(html.AsSpan(0, at), $"<html lang=\"{language}\">", html.AsSpan(at + Marker.Length));
    }

    public static void AddVary(HttpResponse response) =>
        response.Headers.Append(HeaderNames.Vary, "Accept-Language, Cookie");
}
