using System.Collections.Concurrent;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Relay.Tests.Common.Browser;

/// <summary>A web site of its own (127.0.0.1, its own port, so its own origin) serving the HTML pages a test puts in
/// <see cref="Pages"/>: a shop that embeds the watch page, or a stranger that tries to.</summary>
public sealed class StaticSite : IAsyncDisposable
{
    private readonly WebApplication _app;

    private StaticSite(WebApplication app) => _app = app;

    /// <summary>Path ("/shop.html") to HTML.</summary>
    public ConcurrentDictionary<string, string> Pages { get; } = new();

    public Uri BaseAddress { get; private set; } = null!;

    public string Origin => BaseAddress.GetLeftPart(UriPartial.Authority);

    public static async Task<StaticSite> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseKestrel().UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        var app = builder.Build();
        var site = new StaticSite(app);
        app.MapGet("/{page}", (string page) => site.Pages.TryGetValue("/" + page, out var html)
            ? Results.Content(html, "text/html; charset=utf-8") : Results.NotFound());
        await app.StartAsync(TestContext.Current.CancellationToken);
        site.BaseAddress = new Uri(app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First());
        return site;
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync(CancellationToken.None);
        await _app.DisposeAsync();
    }
}
