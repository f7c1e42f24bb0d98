using Relay.Chat.Channels;
using Relay.Chat.Contracts;

namespace Relay.Chat.Rooms;

/// <summary>
/// Stamps host actions with the channel's stream time (contract v2, "Media-time events"). The stamp is read once, on the
/// node where the action happens and when it happens, and travels in the `cue` room event, so every node (and the
/// outputs the publishing node writes) uses the same moment. A channel not live here gets no cue; the action still happens.
/// </summary>
internal sealed class RoomCues(RoomEvents events, IChannelMediaTime mediaTime)
{
    /// <summary>The stream time now, to be passed to <see cref="CueAsync"/> once the action's own event is out.</summary>
    public long? Stamp(string channelId) => mediaTime.StreamTimeMs(channelId);

    /// <summary>Publishes the cue after the action's event; a failure is logged, never thrown (the action happened).</summary>
    public Task CueAsync(string channelId, long? streamTimeMs, string kind, string id) =>
        streamTimeMs is { } ms
            ? events.PublishSafeAsync(new RoomEvent
            {
                ChannelId = channelId, Kind = RoomEventKind.Cue, Cue = new CueEvent { Kind = kind, StreamTimeMs = ms, Id = id },
            })
            : Task.CompletedTask;
}
