using Relay.Ingest.Egress;
using Relay.Server.Channels;

namespace Relay.Server.Configuration;

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
    /// <summary>E-RTMP multitrack: the video track this destination receives (0-255); unset = track 0.</summary>
    public int? TrackId { get; set; }

    /// <summary>The stored shape, once validated. Configuration is the operator's: the address policy does not apply.</summary>
    public EgressDestination ToDestination()
    {
        var preset = PlatformCatalog.Find(Platform)!;
        return new EgressDestination(Id!, Name!.Trim(), preset.Id, string.IsNullOrWhiteSpace(Url) ? preset.DefaultUrl! : Url,
            string.IsNullOrEmpty(StreamKey) ? null : StreamKey, Enabled, Profile is { Transcodes: true } ? Profile : null,
            Engine ?? EgressEngines.Auto, RequirePublicAddress: false, TrackId: TrackId);
    }
}
