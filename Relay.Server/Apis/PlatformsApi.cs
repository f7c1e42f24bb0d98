using Relay.Ingest.Egress.Platforms;

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
        app.MapGet("/api/v1/platforms", () => TypedResults.Ok(PlatformPreset.All.Values.Select(p => new
        {
            id = p.Id,
            displayName = p.DisplayName,
            defaultUrl = p.DefaultUrl,
            requiresTls = p.RequiresTls,
            maxKeyframeIntervalSeconds = p.MaxKeyframeIntervalSeconds,
            maxVideoBitrateKbps = p.MaxVideoBitrateKbps,
            requiresAudioAndVideo = p.RequiresAudioAndVideo,
        }).ToList())).WithTags("Platforms");
        return app;
    }
}
