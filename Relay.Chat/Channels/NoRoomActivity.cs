namespace Relay.Chat.Channels;

internal sealed class NoRoomActivity : IRoomActivity
{
    public void ViewerJoined(string channelId, string viewerId, DateTimeOffset at)
    {
    }

    public void ViewersPresent(string channelId, IReadOnlyList<string> viewerIds, DateTimeOffset at)
    {
    }

    public void Heard(RoomActivityEvent activity)
    {
    }
}
