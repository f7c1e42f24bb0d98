using Microsoft.Playwright;
using Relay.Tests.Common;
using Relay.Tests.Common.Hosts;

namespace Relay.Tests.EndToEnd.Browser;

/// <summary>
/// Screenshots of the real pages for the docs. They are always taken (so the code path is exercised), and
/// written to docs/images only when RELAY_UPDATE_SCREENSHOTS=1, so a normal test run never dirties the tree.
/// </summary>
internal static class Screenshots
{
    public static async Task TakeAsync(RelayTestServer server, IPage studio, IPage viewer, CancellationToken ct)
    {
        var update = Environment.GetEnvironmentVariable("RELAY_UPDATE_SCREENSHOTS") == "1";
        var dir = update ? Path.Combine(RepoRoot(), "docs", "images") : Path.Combine(server.DataDir, "screenshots");
        Directory.CreateDirectory(dir);

        // Let the stream show a few seconds of picture and the toasts fade in before the shot.
        await viewer.WaitForFunctionAsync("() => document.querySelector('#video').currentTime > 2", null, new() { Timeout = 20_000 });
        await viewer.Locator("#chat-input").FillAsync("Love the colour 😍");
        await viewer.Locator("#chat-form button[type=submit]").ClickAsync();
        await studio.Locator("#chat-input").FillAsync("Only 3 tees left at $9.99!");
        await studio.Locator("#chat-form button[type=submit]").ClickAsync();
        await Assertions.Expect(viewer.Locator("#messages li", new() { HasText = "Only 3 tees left" })).ToHaveCountAsync(1);
        await Task.Delay(500, ct);

        // The studio's own pictures (a healthy multistream, zh-CN) come from StudioSetupBrowserTests.
        var viewerPng = Path.Combine(dir, "watch-phone.png");
        await viewer.ScreenshotAsync(new() { Path = viewerPng });
        // The same page on a laptop: video left, card and chat in a side column.
        await viewer.SetViewportSizeAsync(1280, 800);
        await Task.Delay(300, ct);
        var viewerDesktopPng = Path.Combine(dir, "watch-desktop.png");
        await viewer.ScreenshotAsync(new() { Path = viewerDesktopPng });
        await viewer.SetViewportSizeAsync(390, 844);
        Assert.True(new FileInfo(viewerPng).Length > 10_000);
        Assert.True(new FileInfo(viewerDesktopPng).Length > 10_000);
    }

    /// <summary>One page into docs/images (opt-in as above) or the test's data directory; returns the file.</summary>
    public static async Task<string> SaveAsync(RelayTestServer server, IPage page, string fileName)
    {
        var update = Environment.GetEnvironmentVariable("RELAY_UPDATE_SCREENSHOTS") == "1";
        var dir = update ? Path.Combine(RepoRoot(), "docs", "images") : Path.Combine(server.DataDir, "screenshots");
        Directory.CreateDirectory(dir);
        var path = Path.Combine(dir, fileName);
        await page.ScreenshotAsync(new() { Path = path });
        return path;
    }

    private static string RepoRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Relay.sln")))
            {
                return dir.FullName;
            }
        }
        throw new InvalidOperationException("Relay.sln not found above the test binaries: run the screenshot update from the repository");
    }
}
