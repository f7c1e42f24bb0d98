using Relay.Tests.Common.Browser;
using Relay.Tests.Common.Hosts;
using Relay.Tests.Common.Media;
using Relay.Tests.Common.Peers;
using Relay.Tests.Common.Chat;
using Microsoft.Playwright;
using Relay.Tests.Common;

namespace Relay.Tests.EndToEnd.Browser;

/// <summary>The API reference at <c>/openapi</c> (Scalar from /lib over /openapi/v1.json) in a real headless chromium.</summary>
public sealed class ApiReferencePageTests
{
    [Fact]
    public async Task The_reference_page_renders_the_document_and_loads_nothing_from_another_origin()
    {
        ChromiumSession.SkipIfMissing();
        await using var server = await RelayTestServer.StartAsync();
        await using var chromium = await ChromiumSession.StartAsync();
        var page = await chromium.NewPageAsync(server.BaseAddress, 1280, 900);
        var origin = server.BaseAddress.GetLeftPart(UriPartial.Authority);
        var fetchedElsewhere = new List<string>();
        var refusedByPolicy = new List<string>();
        page.Response += (_, r) =>
        {
            if (!r.Url.StartsWith(origin, StringComparison.Ordinal) && !r.Url.StartsWith("data:", StringComparison.Ordinal)
                && !r.Url.StartsWith("blob:", StringComparison.Ordinal))
            {
                lock (fetchedElsewhere) fetchedElsewhere.Add(r.Url);
            }
        };
        page.Console += (_, m) =>
        {
            if (m.Type == "error" && m.Text.Contains("Content Security Policy", StringComparison.OrdinalIgnoreCase))
            {
                lock (refusedByPolicy) refusedByPolicy.Add(m.Text);
            }
        };

        var response = await page.GotoAsync("/openapi", new() { WaitUntil = WaitUntilState.Commit, Timeout = 60_000 });
        Assert.NotNull(response);
        Assert.Equal(200, response.Status);
        Assert.Contains("script-src 'self';", response.Headers["content-security-policy"], StringComparison.Ordinal);

        await Assertions.Expect(page.GetByText("Relay API").First).ToBeVisibleAsync(new() { Timeout = 90_000 });
        // An operation from the document, by the summary its endpoint declares (the sidebar opens the first group).
        await Assertions.Expect(page.GetByRole(AriaRole.Link, new() { Name = "The platform presets (no auth)" }).First)
            .ToBeVisibleAsync(new() { Timeout = 90_000 });
        await Assertions.Expect(page.GetByRole(AriaRole.Link, new() { Name = "Channels", Exact = true }).First).ToBeVisibleAsync();

        Assert.Empty(chromium.PageErrors);
        // Nothing came from another origin, and the policy refused only the CDN fonts Scalar's theme names:
        // no script, style, connection or image the page needs was blocked.
        lock (fetchedElsewhere) Assert.Empty(fetchedElsewhere);
        lock (refusedByPolicy) Assert.All(refusedByPolicy, e => Assert.Contains("font-src", e, StringComparison.Ordinal));
    }
}
