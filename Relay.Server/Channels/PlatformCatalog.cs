using Relay.Ingest.Egress.Platforms;

namespace Relay.Server.Channels;

/// <summary>
/// The platforms a destination may name. The presets themselves (URL, limits) belong to the egress,
/// which checks the live stream against them; the API only adds what a person needs to be told: the platform's
/// name in each language the pages speak and where a per-show URL comes from.
/// </summary>
public static class PlatformCatalog
{
    /// <summary>The languages the pages speak (wwwroot/i18n), in the order the names are listed.</summary>
    public static readonly IReadOnlyList<string> Languages = ["zh-CN", "en"];

    /// <summary>
    /// The names Chinese hosts know each platform by (the platforms' own app and brand names); the English name is the
    /// egress's <see cref="PlatformPreset.DisplayName"/>, the one its warnings use.
    /// </summary>
    private static readonly IReadOnlyDictionary<string, string> ChineseNames = new Dictionary<string, string>
    {
        ["youtube"] = "YouTube 直播",
        ["twitch"] = "Twitch",
        ["facebook"] = "Facebook 直播",
        ["tiktok"] = "TikTok 直播",
        ["douyin"] = "抖音",
        ["kuaishou"] = "快手",
        ["bilibili"] = "哔哩哔哩直播",
        ["weixin-channels"] = "视频号",
        ["taobao"] = "淘宝直播",
        ["xiaohongshu"] = "小红书",
        ["jd"] = "京东直播",
        ["huya"] = "虎牙直播",
        ["douyu"] = "斗鱼直播",
        ["yy"] = "YY直播",
        ["weibo"] = "微博直播",
        ["yizhibo"] = "一直播",
        ["custom"] = "自定义 RTMP",
    };

    /// <summary>Where each per-show platform hands out its push URL and key (the tool its hosts already open).</summary>
    private static readonly IReadOnlyDictionary<string, string> PerShowSources = new Dictionary<string, string>
    {
        ["tiktok"] = "TikTok issues the push URL and key per session in LIVE Studio / Live Center",
        ["douyin"] = "Douyin issues the push URL per session in its live companion",
        ["kuaishou"] = "Kuaishou issues the push URL per session in its live companion",
        ["weixin-channels"] = "Weixin Channels issues the push URL and key per show in the Channels assistant (视频号助手)",
        ["taobao"] = "Taobao Live issues the push URL per show in its PC live console (淘宝直播中控台)",
        ["xiaohongshu"] = "Xiaohongshu issues the push URL and key per show in its PC live tool",
        ["jd"] = "JD Live issues the push URL per show in its live console (京东直播控制台)",
        ["huya"] = "Huya issues the push URL and key per show in its broadcast settings (开播设置)",
        ["douyu"] = "Douyu issues the push URL and key per show in its live settings (直播设置)",
        ["yy"] = "YY issues the push URL and key per show in YY 开播",
        ["weibo"] = "Weibo issues the push URL per show when a live is created in its PC live tool",
        ["yizhibo"] = "Yizhibo issues the push URL per show when a live is created",
    };

    /// <summary>The preset for an exact (lowercase) platform id, or null.</summary>
    public static PlatformPreset? Find(string? id) =>
        id is not null && PlatformPreset.All.TryGetValue(id, out var preset) && preset.Id == id ? preset : null;

    public static string KnownIds => string.Join(", ", PlatformPreset.All.Keys);

    /// <summary>The platform's name in every language of <see cref="Languages"/>.</summary>
    public static Dictionary<string, string> NamesOf(PlatformPreset preset) => new()
    {
        ["zh-CN"] = ChineseNames.GetValueOrDefault(preset.Id, preset.DisplayName),
        ["en"] = preset.DisplayName,
    };

    /// <summary>Why a URL is needed, for platforms that issue one per live session.</summary>
    public static string UrlHint(PlatformPreset preset) =>
        PerShowSources.GetValueOrDefault(preset.Id, "rtmp(s)://host[:port]/app; the stream key is the publish name");
}
