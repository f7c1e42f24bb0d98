namespace Relay.Server.Apis.Views;

/// <summary>A platform preset in <c>GET /api/v1/platforms</c>.</summary>
/// <param name="DisplayName">The English name (kept from v1; <paramref name="Names"/> has every language).</param>
/// <param name="Names">The platform's name by page language: <c>{"zh-CN": "抖音", "en": "Douyin"}</c>.</param>
/// <param name="UrlPerShow">The platform issues a push URL and key for each show: the host pastes both (no default URL).</param>
/// <param name="Vertical">Watched in portrait 9:16: a landscape picture gets a warning (use a profile with aspect 9:16).</param>
/// <param name="UrlHint">Where the URL comes from, for a form's hint (English, as API texts are).</param>
/// <param name="Checks">What the live stream is checked against; the same values the destination's warnings use.</param>
public sealed record PlatformView(
    string Id,
    string DisplayName,
    string? DefaultUrl,
    bool RequiresTls,
    double? MaxKeyframeIntervalSeconds,
    int? MaxVideoBitrateKbps,
    bool RequiresAudioAndVideo,
    Dictionary<string, string> Names,
    bool UrlPerShow,
    bool Vertical,
    string UrlHint,
    PlatformChecksView Checks);
