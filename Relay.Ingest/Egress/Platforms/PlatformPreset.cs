namespace Relay.Ingest.Egress.Platforms;

/// <summary>
/// A platform's published ingest limits (what its help pages state for RTMP/RTMPS ingest). Null = no stated limit.
/// Where a platform publishes nothing a tool can read (most Chinese platforms show their limits only inside their
/// own live tools), the value is a conservative guess, marked so on the entry and in docs/egress.md: generous
/// enough that a stream the platform takes is not flagged, tight enough to catch a setting it would degrade.
/// </summary>
/// <param name="Vertical">A phone-first platform whose viewers watch full screen in 9:16: a landscape picture is flagged.</param>
/// <param name="MaxShortSidePixels">The largest picture the platform takes, as its short side (1080 = 1080p, either way up).</param>
/// <param name="EnhancedVideoCodecs">
/// Codecs besides H.264 the platform takes over Enhanced RTMP (<c>hevc</c>, <c>av1</c>), passed through as they come;
/// null = H.264 only. Any other codec is never pushed to it: it gets a transcode or a clear failure (docs/egress.md).
/// </param>
public sealed record PlatformPreset(
    string Id,
    string DisplayName,
    string? DefaultUrl,
    bool RequiresTls,
    double? MaxKeyframeIntervalSeconds,
    int? MaxVideoBitrateKbps,
    bool RequiresAudioAndVideo,
    bool RequiresH264Aac,
    bool Vertical = false,
    int? MaxShortSidePixels = null,
    IReadOnlySet<string>? EnhancedVideoCodecs = null)
{
    private static readonly IReadOnlySet<string> HevcAv1 = new HashSet<string>(StringComparer.Ordinal) { "hevc", "av1" };
    private static readonly IReadOnlySet<string> AnyCodec = new HashSet<string>(StringComparer.Ordinal) { "*" };

    public static readonly IReadOnlyDictionary<string, PlatformPreset> All = new Dictionary<string, PlatformPreset>(StringComparer.OrdinalIgnoreCase)
    {
        // Fixed ingest URLs, limits from each platform's own encoder settings page.
        // YouTube documents HEVC and AV1 over Enhanced RTMP (support.google.com/youtube/answer/2853702, "RTMP(S) HEVC,
        // AV1"). Twitch takes HEVC/AV1 only inside its Enhanced Broadcasting beta (streams set up by OBS's own Twitch
        // service, not a pasted URL), so a plain Twitch destination stays H.264.
        ["youtube"] = new("youtube", "YouTube Live", "rtmps://a.rtmps.youtube.com:443/live2", false, 2, null, false, true, MaxShortSidePixels: 2160, EnhancedVideoCodecs: HevcAv1),
        ["twitch"] = new("twitch", "Twitch", "rtmps://live.twitch.tv:443/app", false, 2, 6000, false, true, MaxShortSidePixels: 1080),
        ["facebook"] = new("facebook", "Facebook Live", "rtmps://live-api-s.facebook.com:443/rtmp", true, 2, 9000, true, true, MaxShortSidePixels: 1080),
        // Per-show URL and key from TikTok LIVE Studio / LIVE Center (up to 1080p, 6000 kbps, 2 s keyframes).
        ["tiktok"] = new("tiktok", "TikTok LIVE", null, false, 2, 6000, false, true, Vertical: true, MaxShortSidePixels: 1080),
        // Per-show push URL from the live companion (直播伴侣) / 抖音直播 PC: 2 s keyframes, up to 1080p; portrait for
        // commerce. No bitrate cap is published.
        ["douyin"] = new("douyin", "Douyin", null, false, 2, null, false, true, Vertical: true, MaxShortSidePixels: 1080),
        // Per-show push URL from 快手直播伴侣: as Douyin (2 s keyframes, up to 1080p, portrait); no published bitrate cap.
        ["kuaishou"] = new("kuaishou", "Kuaishou", null, false, 2, null, false, true, Vertical: true, MaxShortSidePixels: 1080),
        ["bilibili"] = new("bilibili", "Bilibili Live", "rtmp://live-push.bilivideo.com/live-bvc", false, null, null, false, true),

        // The rest of the Chinese market (issue 15). Each issues a push URL and key per show from its own live tool, so
        // none has a default URL. Codec H.264 + AAC and 2 s keyframes are what every one of their OBS guides asks for;
        // the resolution and bitrate caps are conservative guesses (none is published outside the platforms' tools).
        // Commerce apps watched on phones are vertical.
        ["weixin-channels"] = new("weixin-channels", "Weixin Channels", null, false, 2, 6000, false, true, Vertical: true, MaxShortSidePixels: 1080),
        ["taobao"] = new("taobao", "Taobao Live", null, false, 2, 6000, false, true, Vertical: true, MaxShortSidePixels: 1080),
        ["xiaohongshu"] = new("xiaohongshu", "Xiaohongshu", null, false, 2, 6000, false, true, Vertical: true, MaxShortSidePixels: 1080),
        ["jd"] = new("jd", "JD Live", null, false, 2, 6000, false, true, Vertical: true, MaxShortSidePixels: 1080),
        // Game and entertainment platforms watched landscape on PCs as much as phones: no 9:16 check, higher caps.
        ["huya"] = new("huya", "Huya", null, false, 2, 10000, false, true, MaxShortSidePixels: 1080),
        ["douyu"] = new("douyu", "Douyu", null, false, 2, 10000, false, true, MaxShortSidePixels: 1080),
        ["yy"] = new("yy", "YY Live", null, false, 2, 8000, false, true, MaxShortSidePixels: 1080),
        ["weibo"] = new("weibo", "Weibo Live", null, false, 2, 6000, false, true, MaxShortSidePixels: 1080),
        ["yizhibo"] = new("yizhibo", "Yizhibo", null, false, 2, 6000, false, true, MaxShortSidePixels: 1080),

        // A custom server is taken at its word: whatever the publisher sends is passed through.
        ["custom"] = new("custom", "Custom RTMP", null, false, null, null, false, false, EnhancedVideoCodecs: AnyCodec),
    };

    /// <summary>The platform issues its push URL (and key) for each show, so the host pastes both every time.</summary>
    public bool UrlPerShow => DefaultUrl is null && Id != "custom";

    /// <summary>
    /// Whether the platform takes <paramref name="videoCodec"/> (as the status spells it: h264, hevc, av1...) as it
    /// comes. H.264 always; Facebook, TikTok and the Chinese platforms document RTMP push with H.264 only (their OBS
    /// guides; Douyin and Kuaishou take HEVC from their own companion apps, whose push is not documented as E-RTMP, so
    /// this is H.264 there too: a guess, stated in docs/egress.md).
    /// </summary>
    public bool AcceptsVideoCodec(string videoCodec) =>
        videoCodec == "h264" || (EnhancedVideoCodecs is { } codecs && (codecs.Contains("*") || codecs.Contains(videoCodec)));

    public static PlatformPreset For(string? platform) =>
        platform is not null && All.TryGetValue(platform, out var preset) ? preset : All["custom"];

    /// <summary>The metric label: a known id, never free text.</summary>
    public static string LabelFor(string? platform) => For(platform).Id;
}
