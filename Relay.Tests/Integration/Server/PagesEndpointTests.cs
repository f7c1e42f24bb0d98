using System.Net;
using Relay.Tests.Common;
using Relay.Tests.Common.Hosts;

namespace Relay.Tests.Integration.Server;

/// <summary>What the server answers for the pages, without a browser: status, type, security headers.</summary>
public sealed class PagesEndpointTests
{
    [Fact]
    public async Task Pages_are_served_for_known_channels_with_a_content_security_policy()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var server = await RelayTestServer.StartAsync();
        using var client = server.Client();

        foreach (var path in new[] { "/watch/demo", "/studio/demo" })
        {
            using var page = await client.GetAsync(path, ct);
            Assert.Equal(HttpStatusCode.OK, page.StatusCode);
            Assert.Equal("text/html", page.Content.Headers.ContentType?.MediaType);
            var csp = string.Join(" ", page.Headers.GetValues("Content-Security-Policy"));
            Assert.Contains("script-src 'self'", csp, StringComparison.Ordinal);
            Assert.DoesNotContain("unsafe-inline", csp, StringComparison.Ordinal);
            // L13: the hub is same-origin; 'self' covers its ws:/wss:, and no other host may be reached.
            Assert.Contains("connect-src 'self';", csp, StringComparison.Ordinal);
            Assert.DoesNotContain("ws:", csp, StringComparison.Ordinal);
            Assert.Contains("type=\"module\"", await page.Content.ReadAsStringAsync(ct), StringComparison.Ordinal);
        }

        using var unknown = await client.GetAsync("/watch/no-such-show", ct);
        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
        Assert.Contains("doesn't exist", await unknown.Content.ReadAsStringAsync(ct), StringComparison.Ordinal);

        // The libraries the pages load were fetched from npm and copied by the build.
        foreach (var lib in new[] { "/lib/signalr.min.js", "/lib/signalr-protocol-msgpack.min.js", "/lib/mpegts.js", "/lib/hls.min.js",
                     "/lib/swagger-ui-bundle.js", "/lib/swagger-ui.css" })
        {
            using var js = await client.GetAsync(lib, ct);
            Assert.Equal(HttpStatusCode.OK, js.StatusCode);
        }

        // The API reference (swagger-ui) runs under the same rules: no inline script or style, this origin only.
        using var reference = await client.GetAsync("/openapi", ct);
        Assert.Equal(HttpStatusCode.OK, reference.StatusCode);
        var referenceCsp = string.Join(" ", reference.Headers.GetValues("Content-Security-Policy"));
        Assert.Contains("script-src 'self';", referenceCsp, StringComparison.Ordinal);
        Assert.Contains("style-src 'self';", referenceCsp, StringComparison.Ordinal);
        Assert.DoesNotContain("unsafe-", referenceCsp, StringComparison.Ordinal);
    }
}
