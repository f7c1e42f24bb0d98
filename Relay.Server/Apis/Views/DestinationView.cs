using Relay.Ingest.Egress;
using Relay.Server.Channels;

namespace Relay.Server.Apis.Views;

/// <summary>A destination as returned: URL and stream key redacted, the egress's live state attached.</summary>
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
    IReadOnlyList<string> Warnings);
