using Relay.Chat.Channels;
using Relay.Ingest.Egress;

namespace Relay.Server.Channels;

/// <summary>
/// Durable channels, destinations and line-ups. The embedded implementation is SQLite;
/// a PostgreSQL one fills the same contract for the scaled-out deployment.
/// </summary>
public interface IChannelStore
{
    Task MigrateAsync(CancellationToken ct);

    Task<IReadOnlyList<ChannelDefinition>> ListAsync(CancellationToken ct);

    Task<ChannelDefinition?> FindAsync(string id, CancellationToken ct);

    /// <summary>Inserts a new channel; false when the id is taken.</summary>
    Task<bool> TryCreateAsync(ChannelDefinition channel, CancellationToken ct);

    /// <summary>Writes a channel and all its destinations and line-up as one unit.</summary>
    Task UpsertAsync(ChannelDefinition channel, CancellationToken ct);

    Task<bool> DeleteAsync(string id, CancellationToken ct);

    Task<bool> SetStreamKeyAsync(string id, string streamKey, CancellationToken ct);

    Task<bool> SetHostKeyAsync(string id, string hostKey, CancellationToken ct);

    Task<bool> SetBackupStreamKeyAsync(string id, string backupStreamKey, CancellationToken ct);

    /// <summary>The channel's own settings (<c>PATCH /api/v1/channels/{id}</c>): title, rehearsal switch, next show.</summary>
    Task<bool> SetSettingsAsync(string id, string title, bool rehearsal, DateTimeOffset? nextShowAt, CancellationToken ct);

    Task<bool> SetLineupAsync(string id, IReadOnlyList<LineupItem> lineup, CancellationToken ct);

    Task<bool> SetDestinationsAsync(string id, IReadOnlyList<EgressDestination> destinations, CancellationToken ct);

    Task<bool> CanReadAndWriteAsync(CancellationToken ct);
}
