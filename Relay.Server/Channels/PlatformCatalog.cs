using Relay.Ingest.Egress.Platforms;

namespace Relay.Server.Channels;

/// <summary>
/// The platforms a destination may name. The presets themselves (URL, limits) belong to the egress,
/// which checks the live stream against them; the API only adds what a person needs to be told.
/// </summary>
public static class PlatformCatalog
{
    /// <summary>The preset for an exact (lowercase) platform id, or null.</summary>
    public static PlatformPreset? Find(string? id) =>
        id is not null && PlatformPreset.All.TryGetValue(id, out var preset) && preset.Id == id ? preset : null;

    public static string KnownIds => string.Join(", ", PlatformPreset.All.Keys);

    /// <summary>Why a URL is needed, for platforms that issue one per live session.</summary>
    public static string UrlHint(PlatformPreset preset) => preset.Id switch
    {
        "tiktok" => "TikTok issues the push URL and key per session in LIVE Studio / Live Center",
        "douyin" => "Douyin issues the push URL per session in its live companion",
        "kuaishou" => "Kuaishou issues the push URL per session in its live companion",
        _ => "rtmp(s)://host[:port]/app; the stream key is the publish name",
    };
}
