using Microsoft.Extensions.Options;
using Relay.Chat.Configuration;
using Relay.Chat.Diagnostics;

namespace Relay.Chat.Rooms;

/// <summary>Joins and leaves coalesce into one `viewers` event per room per debounce interval (per node: the room bus sums
/// the nodes' counts).</summary>
internal sealed class ViewerCountPublisher(RoomEvents events, TimeProvider time, IOptions<ChatOptions> options)
{
    public void Changed(LiveRoom room)
    {
        if (room.ScheduleViewerBroadcast()) _ = PublishLaterAsync(room);
    }

    private async Task PublishLaterAsync(LiveRoom room)
    {
        await Task.Delay(TimeSpan.FromMilliseconds(options.Value.ViewerCountDebounceMilliseconds), time);
        var count = room.TakeViewerCount();
        ChatMetrics.RoomViewers.WithLabels(room.ChannelId).Set(count);
        // This node's count; the bus adds the other nodes' (the event shows the sum).
        await events.PublishSafeAsync(new RoomEvent { ChannelId = room.ChannelId, Kind = RoomEventKind.Viewers, LocalViewers = count });
    }
}
