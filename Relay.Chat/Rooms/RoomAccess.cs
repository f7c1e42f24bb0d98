using Relay.Chat.Diagnostics;
using Relay.Chat.Identity;

namespace Relay.Chat.Rooms;

internal static class RoomAccess
{
    public static (LiveRoom Room, Participant Participant) Joined(this LiveRoomRegistry registry, ConnectionSession session)
    {
        if (session.ChannelId is not { } channelId || session.Participant is not { } participant || registry.Find(channelId) is not { } room)
            throw Refusal.Create(Refusal.NotJoined, "call Join(channelId, options) first");
        // A host joined with a key that was rotated since (or of a channel deleted since) has no rights left, at once.
        if (participant.Role == ParticipantRole.Host && participant.HostKeyGeneration != registry.Credentials.HostKeyGeneration(channelId))
            throw Refusal.Create(Refusal.Forbidden, "the host key this connection joined with is no longer valid; join again with the current key");
        return (room, participant);
    }

    public static (LiveRoom Room, Participant Participant) Moderator(this LiveRoomRegistry registry, ConnectionSession session)
    {
        var joined = registry.Joined(session);
        if (!joined.Participant.IsModerator)
            throw Refusal.Create(Refusal.Forbidden, "only the channel's host or an admin may do this");
        return joined;
    }
}
