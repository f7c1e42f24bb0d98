namespace Relay.Server.Configuration;

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
