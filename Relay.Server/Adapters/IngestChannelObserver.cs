using Relay.Ingest.Streams;
using Relay.Server.Channels;

namespace Relay.Server.Adapters;

/// <summary>
/// A rotated key or a deleted channel cuts the current publisher at once; a deleted channel's recordings move to the
/// archive folder, so a channel created again under the same id does not list them. A flipped rehearsal switch turns
/// the current publisher public or private at once (docs/ingest.md, "Rehearsal").
/// </summary>
public sealed class IngestChannelObserver(LiveChannelRegistry registry, Relay.Ingest.Consumers.Recording.RecordingService recordings) : IChannelObserver
{
    public async Task ChannelChangedAsync(string channelId, ChannelChange change, ChannelDefinition? channel, CancellationToken ct)
    {
        if (change is ChannelChange.StreamKeyRotated or ChannelChange.Deleted)
        {
            await registry.StopAsync(channelId, ct);
        }
        if (change == ChannelChange.BackupStreamKeyRotated)
        {
            // Only the backup publisher goes; the primary (or the slate) stays on air.
            registry.DisconnectInput(channelId, IngestInput.Backup);
        }
        if (change == ChannelChange.RehearsalChanged)
        {
            registry.RehearsalChanged(channelId);
        }
        if (change == ChannelChange.Deleted)
        {
            await recordings.ArchiveChannelAsync(channelId, ct);
        }
    }
}
