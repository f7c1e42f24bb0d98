using Relay.Ingest.Egress.Platforms;
using Relay.Server.Apis.Views;

namespace Relay.Server.Apis;

/// <summary>
/// <c>GET /api/v1/platforms</c>: the platform presets the egress knows (default URL, limits), so the studio's
/// add-destination form shows what the server will actually use instead of a copy that drifts.
/// Public facts, no secrets: no auth.
/// </summary>
public static class PlatformsApi
{
    public static IEndpointRouteBuilder MapPlatformsApi(this IEndpointRouteBuilder app)
    {
        app.MapGet("/api/v1/platforms", () => TypedResults.Ok(PlatformPreset.All.Values.Select(p => new PlatformView(
            p.Id, p.DisplayName, p.DefaultUrl, p.RequiresTls, p.MaxKeyframeIntervalSeconds, p.MaxVideoBitrateKbps, p.RequiresAudioAndVideo)).ToList()))
            .WithTags("Platforms").WithSummary("The platform presets (no auth)").AllowAnonymous();
        return app;
    }
}
