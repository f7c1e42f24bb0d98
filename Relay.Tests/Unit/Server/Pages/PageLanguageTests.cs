using Microsoft.AspNetCore.Http;
using Relay.Server.Pages;

namespace Relay.Tests.Unit.Server.Pages;

/// <summary>Which language a page is served in: ?lang=, then the saved choice, then Accept-Language, else English.</summary>
public sealed class PageLanguageTests
{
    private static HttpRequest Request(string? query = null, string? cookie = null, string? acceptLanguage = null)
    {
        var http = new DefaultHttpContext();
        if (query is not null) http.Request.QueryString = new QueryString(query);
        if (cookie is not null) http.Request.Headers.Cookie = cookie;
        if (acceptLanguage is not null) http.Request.Headers.AcceptLanguage = acceptLanguage;
        return http.Request;
    }

    [Theory]
    [InlineData(null, null, null, "en")]
    [InlineData(null, null, "zh-CN,zh;q=0.9,en;q=0.8", "zh-CN")]
    [InlineData(null, null, "zh-Hans-CN", "zh-CN")]
    [InlineData(null, null, "zh-TW", "zh-CN")]
    [InlineData(null, null, "fr-FR,en;q=0.5,zh;q=0.4", "en")]
    [InlineData(null, null, "fr-FR,de;q=0.5", "en")]
    [InlineData(null, null, "en;q=0.2,zh;q=0.9", "zh-CN")]
    [InlineData(null, null, "zh;q=0,en;q=0.1", "en")]
    [InlineData(null, "relay_lang=en", "zh-CN", "en")]
    [InlineData(null, "relay_lang=zh-CN", "en-US", "zh-CN")]
    [InlineData(null, "relay_lang=klingon", "zh-CN", "zh-CN")]
    [InlineData("?lang=en", "relay_lang=zh-CN", "zh-CN", "en")]
    [InlineData("?lang=zh", null, "en", "zh-CN")]
    [InlineData("?lang=%3Cscript%3E", null, "zh-CN", "zh-CN")]
    public void The_query_wins_then_the_saved_choice_then_accept_language(string? query, string? cookie, string? accept, string expected) =>
        Assert.Equal(expected, PageLanguage.Resolve(Request(query, cookie, accept)));

    [Fact]
    public void The_html_element_gets_the_language_and_nothing_else_changes()
    {
        const string Html = "<!doctype html>\n<html lang=\"en\">\n<head></head><body lang=\"en\"></body></html>";
        Assert.Equal("<!doctype html>\n<html lang=\"zh-CN\">\n<head></head><body lang=\"en\"></body></html>", PageLanguage.Apply(Html, "zh-CN"));
        Assert.Equal("<p>no html element</p>", PageLanguage.Apply("<p>no html element</p>", "zh-CN"));
    }
}
