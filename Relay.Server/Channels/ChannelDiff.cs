using Relay.Chat.Channels;
using Relay.Ingest.Egress;

namespace Relay.Server.Channels;

/// <summary>
/// What changed between two states of one channel, as the observers are told of it: how a node applies a change
/// another node stored (it knows only the state before and after, not the call that made it).
/// </summary>
public static class ChannelDiff
{
    /// <summary>The changes that lead from <paramref name="before"/> to <paramref name="after"/>, in the order to tell them.</summary>
    /// <remarks>
    /// A channel deleted and created again under its id (another creation time) is a deletion then a creation. A title
    /// change alone is no observer's business. A stock reset is not visible in the state: it is done once, by the node
    /// that stored it, and the others see a line-up change (when the line-up changed).
    /// </remarks>
    public static IReadOnlyList<ChannelChange> Between(ChannelDefinition? before, ChannelDefinition? after)
    {
        if (before is null)
        {
            return after is null ? [] : [ChannelChange.Created];
        }
        if (after is null)
        {
            return [ChannelChange.Deleted];
        }
        if (!SameCreation(before.CreatedAt, after.CreatedAt))
        {
            return [ChannelChange.Deleted, ChannelChange.Created];
        }
        var changes = new List<ChannelChange>();
        if (before.StreamKey != after.StreamKey)
        {
            changes.Add(ChannelChange.StreamKeyRotated);
        }
        if (before.HostKey != after.HostKey)
        {
            changes.Add(ChannelChange.HostKeyRotated);
        }
        if (before.BackupStreamKey != after.BackupStreamKey && before.BackupStreamKey is not null)
        {
            changes.Add(ChannelChange.BackupStreamKeyRotated);
        }
        if (!before.Destinations.SequenceEqual<EgressDestination>(after.Destinations))
        {
            changes.Add(ChannelChange.DestinationsChanged);
        }
        if (!before.Lineup.SequenceEqual<LineupItem>(after.Lineup))
        {
            changes.Add(ChannelChange.LineupChanged);
        }
        if (before.Rehearsal != after.Rehearsal)
        {
            changes.Add(ChannelChange.RehearsalChanged);
        }
        if (before.NextShowAt != after.NextShowAt)
        {
            changes.Add(ChannelChange.NextShowChanged);
        }
        return changes;
    }

    /// <summary>To the microsecond: what PostgreSQL keeps of a time, so a channel read back is the channel written.</summary>
    public static bool SameCreation(DateTimeOffset a, DateTimeOffset b) => a.UtcTicks / 10 == b.UtcTicks / 10;
}
