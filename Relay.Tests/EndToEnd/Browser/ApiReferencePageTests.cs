using Relay.Tests.Common.Browser;
using Relay.Tests.Common.Hosts;
using Microsoft.Playwright;

namespace Relay.Tests.EndToEnd.Browser;

/// <summary>The API reference at <c>/openapi</c> (swagger-ui from /lib over /openapi/v1.json) in a real headless chromium.</summary>
public sealed class ApiReferencePageTests
{
    [Fact]
    public async Task The_reference_page_renders_the_document_sends_the_bearer_token_and_loads_nothing_from_another_origin()
    {
        ChromiumSession.SkipIfMissing();
        await using var server = await RelayTestServer.StartAsync();
        await using var chromium = await ChromiumSession.StartAsync();
        var page = await chromium.NewPageAsync(server.BaseAddress, 1280, 900);
        // swagger-ui's online validator skips a document on "localhost" or "127.0.0.1": the page is opened as 127.0.0.1
        // in IPv4-mapped IPv6 form, so a validator switched on (the stock set-up) would call validator.swagger.io here.
        var origin = $"http://[::ffff:7f00:1]:{server.BaseAddress.Port}";
        var requestedElsewhere = new List<string>();
        var refusedByPolicy = new List<string>();
        var channelListAuthorization = new List<string?>();
        page.Request += (_, r) =>
        {
            if (!r.Url.StartsWith(origin, StringComparison.Ordinal) && !r.Url.StartsWith("data:", StringComparison.Ordinal))
            {
                lock (requestedElsewhere) requestedElsewhere.Add(r.Url);
            }
            if (r.Url.EndsWith("/api/v1/channels", StringComparison.Ordinal))
            {
                lock (channelListAuthorization) channelListAuthorization.Add(r.Headers.GetValueOrDefault("authorization"));
            }
        };
        page.Console += (_, m) =>
        {
            if (m.Type == "error" && m.Text.Contains("Content Security Policy", StringComparison.OrdinalIgnoreCase))
            {
                lock (refusedByPolicy) refusedByPolicy.Add(m.Text);
            }
        };

        var response = await page.GotoAsync($"{origin}/openapi", new() { WaitUntil = WaitUntilState.Commit, Timeout = 60_000 });
        Assert.NotNull(response);
        Assert.Equal(200, response.Status);
        var csp = response.Headers["content-security-policy"];
        Assert.Contains("script-src 'self';", csp, StringComparison.Ordinal);
        Assert.Contains("style-src 'self';", csp, StringComparison.Ordinal);
        Assert.DoesNotContain("unsafe-", csp, StringComparison.Ordinal);

        // The document's title, a tag and an operation by the summary its endpoint declares.
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Relay API" }).First)
            .ToBeVisibleAsync(new() { Timeout = 90_000 });
        await Assertions.Expect(page.Locator("h3.opblock-tag[data-tag='Channels']")).ToBeVisibleAsync();
        await Assertions.Expect(page.GetByText("The platform presets, names and checks (no auth)", new() { Exact = true })).ToBeVisibleAsync();
        var listChannels = page.Locator(".opblock").Filter(new() { Has = page.GetByText("List channels", new() { Exact = true }) });
        await Assertions.Expect(listChannels).ToHaveCountAsync(1);

        // "Authorize" with the admin token, then "Try it out" on an admin-only operation: the call carries the token.
        await page.Locator("button.authorize").First.ClickAsync();
        await page.GetByLabel("auth-bearer-value").FillAsync(server.AdminToken);
        await page.GetByRole(AriaRole.Button, new() { Name = "Apply credentials" }).ClickAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Button, new() { Name = "Remove authorization" })).ToBeVisibleAsync();
        await page.GetByRole(AriaRole.Button, new() { Name = "Close", Exact = true }).First.ClickAsync();
        await listChannels.Locator(".opblock-summary").First.ClickAsync();
        await listChannels.GetByRole(AriaRole.Button, new() { Name = "Try it out" }).ClickAsync();
        await listChannels.GetByRole(AriaRole.Button, new() { Name = "Execute" }).ClickAsync();
        await Assertions.Expect(listChannels.Locator(".live-responses-table tr.response .response-col_status").First)
            .ToHaveTextAsync("200", new() { Timeout = 30_000 });
        await Assertions.Expect(listChannels.Locator(".live-responses-table tr.response .response-col_description").First)
            .ToContainTextAsync("\"demo\"");
        lock (channelListAuthorization) Assert.Equal([$"Bearer {server.AdminToken}"], channelListAuthorization);
        // persistAuthorization is off: the token is not left in the browser's storage.
        Assert.DoesNotContain(server.AdminToken, await page.EvaluateAsync<string>("JSON.stringify(Object.assign({}, localStorage, sessionStorage))"),
            StringComparison.Ordinal);

        Assert.Empty(chromium.PageErrors);
        lock (requestedElsewhere) Assert.Empty(requestedElsewhere);
        lock (refusedByPolicy) Assert.Empty(refusedByPolicy);
    }
}
