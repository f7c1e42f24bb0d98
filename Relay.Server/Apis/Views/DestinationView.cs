using Relay.Ingest.Egress;
using Relay.Server.Channels;

namespace Relay.Server.Apis.Views;

/// <summary>A destination as returned: URL and stream key redacted, the egress's live state attached.</summary>
/// <param name="LiveSeconds">How long the current push has been live (whole seconds); null unless <c>live</c>.</param>
/// <param name="TrackId">E-RTMP multitrack: the video track this destination receives; null = the default track 0.</param>
public sealed record DestinationView(
    string Id,
    string Name,
    string Platform,
    string Url,
    string? StreamKey,
    bool Enabled,
    string Engine,
    EgressProfile? Profile,
    string State,
    int Reconnects,
    string? LastError,
    double BitrateKbps,
    long DroppedFrames,
    IReadOnlyList<string> Warnings,
    double? LiveSeconds,
    int? TrackId = null);
