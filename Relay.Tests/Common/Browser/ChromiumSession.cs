using Microsoft.Playwright;

namespace Relay.Tests.Common.Browser;

/// <summary>
/// Debian's chromium driven by Playwright (the driver ships in the NuGet package; no browser is ever
/// downloaded). Each page gets its own browser context, so two viewers do not share storage. Uncaught
/// page errors are collected: a test asserts there were none.
/// </summary>
internal sealed class ChromiumSession : IAsyncDisposable
{
    public const string ChromiumPath = "/usr/bin/chromium";

    private readonly IPlaywright _playwright;
    private readonly List<IBrowserContext> _contexts = [];
    private readonly List<string> _pageErrors = [];

    private ChromiumSession(IPlaywright playwright, IBrowser browser)
    {
        _playwright = playwright;
        Browser = browser;
    }

    public IBrowser Browser { get; }

    public IReadOnlyList<string> PageErrors
    {
        get { lock (_pageErrors) return [.. _pageErrors]; }
    }

    public static void SkipIfMissing()
    {
        if (!File.Exists(ChromiumPath))
        {
            Assert.Skip($"{ChromiumPath} is missing: install it with  sudo apt-get install -y chromium  (test.sh does this as root)");
        }
    }

    public static async Task<ChromiumSession> StartAsync()
    {
        SkipIfMissing();
        var playwright = await Playwright.CreateAsync();
        try
        {
            // Playwright gives every launch a fresh temporary profile (user-data-dir) and deletes it on close.
            var browser = await playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
            {
                ExecutablePath = ChromiumPath,
                Headless = true,
                Args =
                [
                    "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
                    "--disable-component-update", "--disable-sync",
                ],
                Timeout = 30_000,
            });
            return new ChromiumSession(playwright, browser);
        }
        catch
        {
            playwright.Dispose();
            throw;
        }
    }

    /// <param name="locale">The browser's language (Accept-Language and navigator.language), e.g. "zh-CN"; null keeps en-US.</param>
    public async Task<IPage> NewPageAsync(Uri baseAddress, int width, int height, bool mobile = false, IEnumerable<string>? permissions = null,
        string? locale = null)
    {
        var context = await Browser.NewContextAsync(new BrowserNewContextOptions
        {
            Permissions = permissions,
            BaseURL = baseAddress.ToString(),
            ViewportSize = new ViewportSize { Width = width, Height = height },
            DeviceScaleFactor = mobile ? 2 : 1,
            IsMobile = mobile,
            HasTouch = mobile,
            Locale = locale,
        });
        _contexts.Add(context);
        context.SetDefaultTimeout(15_000);
        var page = await context.NewPageAsync();
        page.PageError += (_, e) =>
        {
            lock (_pageErrors)
            {
                _pageErrors.Add($"{page.Url}: {e}");
            }
        };
        return page;
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var context in _contexts)
        {
            await context.CloseAsync();
        }
        await Browser.CloseAsync();
        _playwright.Dispose();
    }
}
