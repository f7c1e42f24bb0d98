using Relay.Chat.Channels;
using Relay.Ingest.Streams;
using Relay.Server.Channels;

namespace Relay.Server.Apis.Views;

/// <summary><c>GET /api/v1/channels/{id}</c>: live state, secrets redacted, destinations and line-up attached.</summary>
public sealed record ChannelDetails(
    string Id,
    string Title,
    bool Live,
    IngestStatus? Ingest,
    string? StreamKey,
    string IngestUrl,
    string WatchUrl,
    string StudioUrl,
    IReadOnlyList<DestinationView> Destinations,
    IReadOnlyList<LineupItem> Lineup);
