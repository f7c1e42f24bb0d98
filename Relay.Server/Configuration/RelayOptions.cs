using Relay.Common.Files;

namespace Relay.Server.Configuration;

/// <summary>Top-level keys under <c>Relay</c> that the host itself owns.</summary>
public sealed class RelayOptions
{
    public const string Section = "Relay";

    public string DataDir { get; set; } = DataDirectory.DefaultPath;

    /// <summary>Host name printed in OBS settings and page URLs; empty = the machine's name.</summary>
    public string PublicHost { get; set; } = "";

    /// <summary>
    /// The scheme and host every link Relay returns or prints uses (e.g. <c>https://live.brand.example</c>) when it sits
    /// behind a TLS-terminating proxy; empty = the request's own, honouring X-Forwarded-* from Relay:ForwardedHeaders'
    /// known proxies. Its host is also the OBS server's host unless PublicHost says otherwise.
    /// </summary>
    public string PublicBaseUrl { get; set; } = "";

    public List<ChannelConfig> Channels { get; set; } = [];

    public DemoOptions Demo { get; set; } = new();

    /// <summary>Where the startup banner goes: <c>stdout</c>, <c>file</c> ({DataDir}/banner.txt, mode 600) or <c>off</c>.</summary>
    public string Banner { get; set; } = BannerModes.Stdout;

    public MetricsOptions Metrics { get; set; } = new();
}
