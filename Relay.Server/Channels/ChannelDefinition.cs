using Relay.Chat.Channels;
using Relay.Ingest.Egress;

namespace Relay.Server.Channels;

/// <summary>
/// A channel as stored. Secrets are plain here; the store encrypts them at rest. Destinations are the egress's own
/// shape and line-up items the live room's, so nothing is copied between the API, the store and the planes.
/// </summary>
public sealed record ChannelDefinition(
    string Id,
    string Title,
    string StreamKey,
    string HostKey,
    bool StreamKeyFromConfig,
    bool HostKeyFromConfig,
    DateTimeOffset CreatedAt,
    IReadOnlyList<EgressDestination> Destinations,
    IReadOnlyList<LineupItem> Lineup)
{
    /// <summary>
    /// Changes whenever the host key does (rotation, a channel deleted and created again); not stored, since hub
    /// connections do not outlive the process. A hub host whose generation is not the current one has lost its rights.
    /// </summary>
    public long HostKeyGeneration { get; init; }

    /// <summary>Publishes are rehearsals: previewed by the host, never pushed, recorded or public (contract v2, "Rehearsal").</summary>
    public bool Rehearsal { get; init; }

    /// <summary>When the next show starts, as the offline watch page counts down to it; whole seconds, UTC.</summary>
    public DateTimeOffset? NextShowAt { get; init; }

    /// <summary>
    /// The second key (contract v2, "Backup ingest"): a publish with it while the primary is live waits as standby and
    /// takes over when the primary drops. Null only for a channel stored before it existed, until the catalog loads it
    /// (<see cref="ChannelService.LoadAsync"/> gives it one).
    /// </summary>
    public string? BackupStreamKey { get; init; }
}
