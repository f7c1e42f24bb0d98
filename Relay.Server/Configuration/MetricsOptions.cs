namespace Relay.Server.Configuration;

public sealed class MetricsOptions
{
    /// <summary>When set, <c>GET /metrics</c> requires <c>Authorization: Bearer</c> with this token.</summary>
    public string? Token { get; set; }
}
