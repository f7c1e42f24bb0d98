namespace Relay.Ingest.Egress.Platforms;

/// <summary>
/// A platform's published ingest limits (what its help pages state for RTMP/RTMPS ingest). Null = no stated limit.
/// </summary>
public sealed record PlatformPreset(
    string Id,
    string DisplayName,
    string? DefaultUrl,
    bool RequiresTls,
    double? MaxKeyframeIntervalSeconds,
    int? MaxVideoBitrateKbps,
    bool RequiresAudioAndVideo,
    bool RequiresH264Aac)
{
    public static readonly IReadOnlyDictionary<string, PlatformPreset> All = new Dictionary<string, PlatformPreset>(StringComparer.OrdinalIgnoreCase)
    {
        ["youtube"] = new("youtube", "YouTube Live", "rtmps://a.rtmps.youtube.com:443/live2", false, 2, null, false, true),
        ["twitch"] = new("twitch", "Twitch", "rtmps://live.twitch.tv:443/app", false, 2, 6000, false, true),
        ["facebook"] = new("facebook", "Facebook Live", "rtmps://live-api-s.facebook.com:443/rtmp", true, 2, 9000, true, true),
        ["tiktok"] = new("tiktok", "TikTok LIVE", null, false, 2, 6000, false, true),
        ["douyin"] = new("douyin", "Douyin", null, false, 2, null, false, true),
        ["kuaishou"] = new("kuaishou", "Kuaishou", null, false, 2, null, false, true),
        ["bilibili"] = new("bilibili", "Bilibili Live", "rtmp://live-push.bilivideo.com/live-bvc", false, null, null, false, true),
        ["custom"] = new("custom", "Custom RTMP", null, false, null, null, false, false),
    };

    public static PlatformPreset For(string? platform) =>
        platform is not null && All.TryGetValue(platform, out var preset) ? preset : All["custom"];

    /// <summary>The metric label: a known id, never free text.</summary>
    public static string LabelFor(string? platform) => For(platform).Id;
}
