using Relay.Chat.Channels;
using Relay.Ingest.Streams;
using Relay.Server.Channels;

namespace Relay.Server.Apis.Views;

/// <summary><c>GET /api/v1/channels/{id}</c>: live state, secrets redacted, destinations and line-up attached.</summary>
/// <param name="Live">Public live (false while the channel rehearses, though <paramref name="Ingest"/> is there).</param>
/// <param name="Rehearsal">The channel's rehearsal switch.</param>
/// <param name="NextShowAt">When the next show starts, if the host said.</param>
/// <param name="BackupStreamKey">The backup stream key, redacted like the stream key.</param>
/// <param name="SrtUrl">The SRT URL OBS may publish to instead (<c>STREAM_KEY</c> left as a placeholder); null when SRT is off.</param>
public sealed record ChannelDetails(
    string Id,
    string Title,
    bool Live,
    bool Rehearsal,
    DateTimeOffset? NextShowAt,
    IngestStatus? Ingest,
    string? StreamKey,
    string IngestUrl,
    string WatchUrl,
    string StudioUrl,
    IReadOnlyList<DestinationView> Destinations,
    IReadOnlyList<LineupItem> Lineup,
    string? BackupStreamKey = null,
    string? SrtUrl = null);
