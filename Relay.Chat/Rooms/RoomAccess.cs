using Relay.Chat.Diagnostics;
using Relay.Chat.Identity;

namespace Relay.Chat.Rooms;

internal static class RoomAccess
{
    public static (LiveRoom Room, Participant Participant) Joined(this LiveRoomRegistry registry, LiveSession session)
    {
        if (session.ChannelId is not { } channelId || session.Participant is not { } participant || registry.Find(channelId) is not { } room)
            throw Refusal.Create(Refusal.NotJoined, "call Join(channelId, options) first");
        return (room, participant);
    }

    public static (LiveRoom Room, Participant Participant) Moderator(this LiveRoomRegistry registry, LiveSession session)
    {
        var joined = registry.Joined(session);
        if (!joined.Participant.IsModerator)
            throw Refusal.Create(Refusal.Forbidden, "only the channel's host or an admin may do this");
        return joined;
    }
}
