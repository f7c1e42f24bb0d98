using Relay.Ingest.Egress.Platforms;
using Relay.Server.Apis.Views;
using Relay.Server.Channels;

namespace Relay.Server.Apis;

/// <summary>
/// <c>GET /api/v1/platforms</c>: the platform presets the egress knows (default URL, limits), so the studio's
/// add-destination form shows what the server will actually use instead of a copy that drifts, with each platform's
/// name in every page language. Public facts, no secrets: no auth.
/// </summary>
public static class PlatformsApi
{
    public static IEndpointRouteBuilder MapPlatformsApi(this IEndpointRouteBuilder app)
    {
        app.MapGet("/api/v1/platforms", () => TypedResults.Ok(PlatformPreset.All.Values.Select(View).ToList()))
            .WithTags("Platforms").WithSummary("The platform presets, names and checks (no auth)").AllowAnonymous();
        return app;
    }

    private static PlatformView View(PlatformPreset p) => new(
        p.Id, p.DisplayName, p.DefaultUrl, p.RequiresTls, p.MaxKeyframeIntervalSeconds, p.MaxVideoBitrateKbps, p.RequiresAudioAndVideo,
        PlatformCatalog.NamesOf(p), p.UrlPerShow, p.Vertical, PlatformCatalog.UrlHint(p),
        new PlatformChecksView(
            p.RequiresH264Aac ? "h264" : null, p.RequiresH264Aac ? "aac" : null, p.MaxKeyframeIntervalSeconds, p.MaxVideoBitrateKbps,
            p.MaxShortSidePixels, p.Vertical ? "9:16" : null, p.RequiresAudioAndVideo, p.RequiresTls,
            [.. new[] { "h264" }.Concat(p.EnhancedVideoCodecs?.Order(StringComparer.Ordinal) ?? Enumerable.Empty<string>()).Distinct()]));
}
