namespace Relay.Server.Channels;

/// <summary>One streaming platform: where its ingest lives and what it insists on.</summary>
public sealed record PlatformPreset(
    string Id,
    string DisplayName,
    string? DefaultUrl,
    bool RequiresRtmps,
    string? HostSuffix,
    string Notes);

/// <summary>
/// The platforms Relay knows by name. URLs are the platforms' published primary ingest
/// endpoints; platforms that issue a push URL per live session (TikTok, Douyin, Kuaishou)
/// have no default and need the URL the platform gives the host.
/// </summary>
public static class PlatformCatalog
{
    public static readonly IReadOnlyList<PlatformPreset> All =
    [
        new("youtube", "YouTube Live", "rtmps://a.rtmps.youtube.com:443/live2", false, "youtube.com",
            "Backup: rtmps://b.rtmps.youtube.com:443/live2?backup=1. Keyframe interval 2 s or less."),
        new("twitch", "Twitch", "rtmp://live.twitch.tv/app", false, "twitch.tv",
            "Bitrate cap 6000 kbps, keyframe interval 2 s."),
        new("facebook", "Facebook Live", "rtmps://live-api-s.facebook.com:443/rtmp/", true, "facebook.com",
            "RTMPS only; audio and video both required; up to 9000 kbps."),
        new("tiktok", "TikTok LIVE", null, false, null, "Push URL and key are issued per session in TikTok LIVE Studio / Live Center."),
        new("douyin", "Douyin", null, false, null, "Push URL is issued per session in Douyin's live companion."),
        new("kuaishou", "Kuaishou", null, false, null, "Push URL is issued per session in Kuaishou's live companion."),
        new("bilibili", "Bilibili", "rtmp://live-push.bilivideo.com/live-bvc/", false, "bilivideo.com",
            "Stream key (\"streamname?streamkey\") from the live centre."),
        new("custom", "Any RTMP/RTMPS server", null, false, null, "rtmp(s)://host[:port]/app; the stream key is the publish name."),
    ];

    public static PlatformPreset? Find(string? id) =>
        All.FirstOrDefault(p => string.Equals(p.Id, id, StringComparison.Ordinal));

    public static string KnownIds => string.Join(", ", All.Select(p => p.Id));
}
