namespace Relay.Server.Apis.Views;

/// <summary>A platform preset in <c>GET /api/v1/platforms</c>.</summary>
public sealed record PlatformView(
    string Id,
    string DisplayName,
    string? DefaultUrl,
    bool RequiresTls,
    double? MaxKeyframeIntervalSeconds,
    int? MaxVideoBitrateKbps,
    bool RequiresAudioAndVideo);
