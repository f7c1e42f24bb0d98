using Relay.Common.Files;

namespace Relay.Server.Configuration;

/// <summary>Top-level keys under <c>Relay</c> that the host itself owns.</summary>
public sealed class RelayOptions
{
    public const string Section = "Relay";

    public string DataDir { get; set; } = DataDirectory.DefaultPath;

    /// <summary>Host name printed in OBS settings and page URLs; empty = the machine's name.</summary>
    public string PublicHost { get; set; } = "";

    public List<ChannelConfig> Channels { get; set; } = [];

    public DemoOptions Demo { get; set; } = new();

    /// <summary>Where the startup banner goes: <c>stdout</c>, <c>file</c> ({DataDir}/banner.txt, mode 600) or <c>off</c>.</summary>
    public string Banner { get; set; } = BannerModes.Stdout;

    public MetricsOptions Metrics { get; set; } = new();
}

public static class BannerModes
{
    public const string Stdout = "stdout";
    public const string File = "file";
    public const string Off = "off";

    public static readonly string[] All = [Stdout, File, Off];
}

public sealed class MetricsOptions
{
    /// <summary>When set, <c>GET /metrics</c> requires <c>Authorization: Bearer</c> with this token.</summary>
    public string? Token { get; set; }
}

public sealed class DemoOptions
{
    public bool CreateOnFirstStart { get; set; } = true;
}

/// <summary>A channel declared in configuration. Keys given here are authoritative (not rotatable through the API).</summary>
public sealed class ChannelConfig
{
    public string? Id { get; set; }
    public string? Title { get; set; }
    public string? StreamKey { get; set; }
    public string? HostKey { get; set; }
    public List<DestinationConfig> Destinations { get; set; } = [];
    public List<LineupItemConfig>? Lineup { get; set; }
}

public sealed class DestinationConfig
{
    public string? Id { get; set; }
    public string? Name { get; set; }
    public string? Platform { get; set; }
    public string? Url { get; set; }
    public string? StreamKey { get; set; }
    public bool Enabled { get; set; } = true;
    public DestinationProfileConfig? Profile { get; set; }
    public string? Engine { get; set; }
}

public sealed class DestinationProfileConfig
{
    public int? VideoBitrateKbps { get; set; }
    public int? MaxWidth { get; set; }
    public int? MaxHeight { get; set; }
    public int? Fps { get; set; }
    public double? KeyframeIntervalSeconds { get; set; }
    public string? Aspect { get; set; }
    public int? AudioBitrateKbps { get; set; }
}

public sealed class LineupItemConfig
{
    public string? Sku { get; set; }
    public string? Title { get; set; }
    public long PriceCents { get; set; }
    public string? Currency { get; set; }
    public string? ImageUrl { get; set; }
    public int? Stock { get; set; }
}

public sealed class AuthOptions
{
    public const string Section = "Relay:Auth";

    public string? AdminToken { get; set; }
    public string? ViewerJwtKey { get; set; }
}
