using Microsoft.Extensions.Options;
using Relay.Chat.Configuration;
using Relay.Chat.Contracts;
using Relay.Chat.Diagnostics;

namespace Relay.Chat.Rooms;

/// <summary>Joins and leaves coalesce into one `viewers` event per room per debounce interval.</summary>
internal sealed class ViewerCountPublisher(RoomBroadcaster broadcaster, TimeProvider time, IOptions<ChatOptions> options)
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
        await broadcaster.ToRoomAsync(room.ChannelId, "viewers", c => c.viewers(new ViewersEvent { Count = count }));
    }
}
