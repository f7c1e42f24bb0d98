using Relay.Chat.Channels;
using Relay.Common.Files;
using Relay.Ingest.Egress;
using Relay.Server.Channels;

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

/// <summary>
/// A destination as written in configuration: the keys of an <see cref="EgressDestination"/>, each optional so that
/// <see cref="RelayOptionsValidator"/> can name what is missing or wrong before anything is stored.
/// </summary>
public sealed class DestinationConfig
{
    public string? Id { get; set; }
    public string? Name { get; set; }
    public string? Platform { get; set; }
    public string? Url { get; set; }
    public string? StreamKey { get; set; }
    public bool Enabled { get; set; } = true;
    /// <summary>Bound straight to the egress's profile: the same keys as the API's <c>profile</c> object.</summary>
    public EgressProfile? Profile { get; set; }
    public string? Engine { get; set; }

    /// <summary>The stored shape, once validated. Configuration is the operator's: the address policy does not apply.</summary>
    public EgressDestination ToDestination()
    {
        var preset = PlatformCatalog.Find(Platform)!;
        return new EgressDestination(Id!, Name!.Trim(), preset.Id, string.IsNullOrWhiteSpace(Url) ? preset.DefaultUrl! : Url,
            string.IsNullOrEmpty(StreamKey) ? null : StreamKey, Enabled, Profile is { Transcodes: true } ? Profile : null,
            Engine ?? EgressEngines.Auto, RequirePublicAddress: false);
    }
}

/// <summary>A line-up product as written in configuration; <see cref="RelayOptionsValidator"/> checks it as a <see cref="LineupItem"/>.</summary>
public sealed class LineupItemConfig
{
    public string? Sku { get; set; }
    public string? Title { get; set; }
    public long PriceCents { get; set; }
    public string? Currency { get; set; }
    public string? ImageUrl { get; set; }
    public int? Stock { get; set; }

    public LineupItem ToLineupItem() => new(Sku!, Title!, PriceCents, Currency!, ImageUrl, Stock);
}

public sealed class AuthOptions
{
    public const string Section = "Relay:Auth";

    /// <summary>Shortest admin token accepted (configured or in the file); a generated one has 192 random bits.</summary>
    public const int MinAdminTokenLength = 24;

    public string? AdminToken { get; set; }
    public string? ViewerJwtKey { get; set; }
}
