namespace Relay.Chat.Channels;

internal sealed class NoRoomActivity : IRoomActivity
{
    public void ViewerJoined(string channelId, string viewerId, DateTimeOffset at)
    {
    }

    public void Heard(RoomActivityEvent activity)
    {
    }
}
