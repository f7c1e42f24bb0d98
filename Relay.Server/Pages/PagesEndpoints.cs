using Microsoft.Extensions.FileProviders;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Options;
using Relay.Server.Channels;

namespace Relay.Server.Pages;

/// <summary>
/// The viewer page, the host console, the replay page, the show reports and their static assets. The pages are static HTML + ES modules
/// that talk to the REST API and the hub; the server only decides which file a URL gets.
/// </summary>
public static class PagesEndpoints
{
    /// <summary>
    /// The web root beside the binary: the build copies wwwroot (and the npm bundles in wwwroot/lib) to the
    /// output, so the pages are found whatever the working directory (run.sh, tests, a published folder).
    /// </summary>
    public static string WebRoot { get; } = Path.Combine(AppContext.BaseDirectory, "wwwroot");

    public static WebApplication UseRelayStaticFiles(this WebApplication app)
    {
        if (!Directory.Exists(WebRoot))
        {
            return app;
        }
        app.UseStaticFiles(new StaticFileOptions
        {
            FileProvider = new PhysicalFileProvider(WebRoot),
            // Modules and styles change with every deploy and are small: revalidate rather than go stale.
            OnPrepareResponse = ctx =>
            {
                ctx.Context.Response.Headers.CacheControl = "no-cache";
                ctx.Context.Response.Headers.XContentTypeOptions = "nosniff";
                if (ctx.File.Name.EndsWith(".html", StringComparison.OrdinalIgnoreCase))
                {
                    AddPageHeaders(ctx.Context.Response);
                }
            },
        });
        return app;
    }

    public static IEndpointRouteBuilder MapRelayPages(this IEndpointRouteBuilder app)
    {
        // The one page a shop may frame (Pages:FrameAncestors); the origins go into the page too, for its postMessage checks.
        app.MapGet("/watch/{channelId}", (string channelId, ChannelService channels, IOptions<PagesOptions> pages) =>
                Page(channels, channelId, "watch.html", pages.Value))
            .ExcludeFromDescription();
        app.MapGet("/watch/{channelId}/qr.svg", (string channelId, [FromQuery(Name = "ref")] string? shareCode, HttpRequest request, ChannelService channels,
                IOptions<Relay.Server.Configuration.RelayOptions> relay) => ShareQr.Render(channelId, shareCode, request, channels, relay))
            .ExcludeFromDescription();
        app.MapGet("/studio/{channelId}", (string channelId, ChannelService channels) => Page(channels, channelId, "studio.html"))
            .ExcludeFromDescription();
        app.MapGet("/replay/{channelId}", (string channelId, ChannelService channels) => Page(channels, channelId, "replay.html"))
            .ExcludeFromDescription();
        // One page for the list and a report: report.js reads which from the path. An unknown show is the API's 404.
        app.MapGet("/studio/{channelId}/shows", (string channelId, ChannelService channels) => Page(channels, channelId, "report.html"))
            .ExcludeFromDescription();
        app.MapGet("/studio/{channelId}/shows/{showId}", (string channelId, string showId, ChannelService channels) => Page(channels, channelId, "report.html"))
            .ExcludeFromDescription();
        // The console is a static page: everything it shows comes from the API with the admin token the operator types.
        app.MapGet("/admin", () => StaticPage("admin.html")).ExcludeFromDescription();
        return app;
    }

    /// <summary>A page of the web root that belongs to no channel (the API reference), with the pages' headers.</summary>
    public static IResult StaticPage(string file)
    {
        var path = Path.Combine(WebRoot, file);
        return File.Exists(path)
            ? new PageResult(path, StatusCodes.Status200OK)
            : TypedResults.Problem(
                detail: $"the page files are missing from {WebRoot}: rebuild Relay.Server (dotnet build) so wwwroot is copied beside the binary",
                statusCode: StatusCodes.Status500InternalServerError);
    }

    private static IResult Page(ChannelService channels, string channelId, string file, PagesOptions? embedding = null)
    {
        var known = channels.Find(channelId) is not null;
        var path = Path.Combine(WebRoot, known ? file : "not-found.html");
        if (!File.Exists(path))
        {
            return TypedResults.Problem(
                detail: $"the page files are missing from {WebRoot}: rebuild Relay.Server (dotnet build) so wwwroot is copied beside the binary",
                statusCode: StatusCodes.Status500InternalServerError);
        }
        return new PageResult(path, known ? StatusCodes.Status200OK : StatusCodes.Status404NotFound, known ? embedding : null);
    }

    /// <summary>The meta tag watch.html carries for the origins allowed to frame it (watch-embed.js reads it).</summary>
    internal const string FrameAncestorsMeta = "<meta name=\"relay-frame-ancestors\" content=\"\">";

    /// <summary>
    /// The pages render user text with textContent only; the policy is a second line of defence: no inline
    /// script, no plugin, media and connections to this origin only (product images may come from any https shop).
    /// 'self' in connect-src covers the hub's same-origin ws:/wss: (CSP Level 3), so no other host can be reached.
    /// </summary>
    /// <remarks>
    /// The API reference (openapi.html, swagger-ui) shows no product images and plays no media: its policy drops
    /// https: images, media and workers, and allows only the data: icons its stylesheet embeds.
    /// </remarks>
    private static void AddPageHeaders(HttpResponse response, string frameAncestors = "'none'")
    {
        response.Headers.ContentSecurityPolicy = IsApiReference(response.HttpContext.Request.Path)
            ? "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; " +
              "connect-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'"
            : "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' https: data:; " +
              "media-src 'self' blob:; connect-src 'self'; worker-src 'self' blob:; object-src 'none'; base-uri 'none'; frame-ancestors " + frameAncestors;
        response.Headers["Referrer-Policy"] = "no-referrer";
    }

    private static bool IsApiReference(PathString path) =>
        path.Equals("/openapi", StringComparison.OrdinalIgnoreCase) || path.Equals("/openapi.html", StringComparison.OrdinalIgnoreCase);

    /// <summary>An HTML file with a chosen status (TypedResults.PhysicalFile always answers 200).</summary>
    private sealed class PageResult(string path, int status, PagesOptions? embedding = null) : IResult
    {
        public async Task ExecuteAsync(HttpContext http)
        {
            http.Response.StatusCode = status;
            http.Response.ContentType = "text/html; charset=utf-8";
            http.Response.Headers.CacheControl = "no-cache";
            http.Response.Headers.XContentTypeOptions = "nosniff";
            AddPageHeaders(http.Response, embedding?.Directive() ?? "'none'");
            PageLanguage.AddVary(http.Response);
            // The files are a few KB: reading one per request keeps edits live and costs nothing a page view notices.
            var html = await File.ReadAllTextAsync(path, http.RequestAborted);
            if (embedding is not null)
            {
                // Validated origins and 'self' only (PagesOptionsValidator): nothing to escape, encoded anyway.
                var origins = System.Net.WebUtility.HtmlEncode(string.Join(' ', embedding.Allowed()));
                html = html.Replace(FrameAncestorsMeta, $"<meta name=\"relay-frame-ancestors\" content=\"{origins}\">", StringComparison.Ordinal);
            }
            await http.Response.WriteAsync(PageLanguage.Apply(html, PageLanguage.Resolve(http.Request)), http.RequestAborted);
        }
    }
}
