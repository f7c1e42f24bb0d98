using Relay.Chat.Channels;
using Relay.Chat.Contracts;
using Relay.Chat.Diagnostics;
using Relay.Chat.Identity;
using Relay.Chat.Referrals;

namespace Relay.Chat.Rooms;

/// <summary>Joining and leaving rooms.</summary>
internal sealed class RoomService(
    LiveRoomRegistry registry,
    ParticipantResolver resolver,
    RoomBroadcaster broadcaster,
    ViewerCountPublisher viewers,
    TimeProvider time,
    DisplayIds displayIds,
    IRoomActivity activity,
    ShareCodes shareCodes)
{
    internal const int MaxIdLength = 128;

    public async Task<JoinSnapshot> JoinAsync(ConnectionSession session, string? channelId, JoinOptions? options, CancellationToken cancellationToken)
    {
        if (string.IsNullOrWhiteSpace(channelId) || channelId.Length > MaxIdLength)
            throw Refusal.Create(Refusal.Invalid, "channelId is required (at most 128 characters)");
        var room = await registry.GetOrOpenAsync(channelId, cancellationToken)
            ?? throw Refusal.Create(Refusal.NotFound, "no such channel");
        var participant = await resolver.ResolveAsync(session.AccessToken, session.ConnectionGuestId, channelId, options?.DisplayName, room.HostNameSkeletons(), cancellationToken)
            ?? throw Refusal.Create(Refusal.Unauthorized, "the access token is not valid for this channel");

        await LeaveAsync(session, cancellationToken);
        session.ChannelId = channelId;
        session.Participant = participant;
        var displayId = session.DisplayId = displayIds.For(channelId, participant);
        var referrer = TextSanitizer.Truncate(TextSanitizer.Clean(options?.Referrer, 200), 200);
        session.Referrer = referrer.Length > 0 ? referrer : null;

        await broadcaster.Groups.AddToGroupAsync(session.ConnectionId, broadcaster.RoomGroup(channelId), cancellationToken);
        if (!participant.IsModerator)
            await broadcaster.Groups.AddToGroupAsync(session.ConnectionId, RoomBroadcaster.BuyerGroup(channelId, participant.UserId), cancellationToken);

        var hostName = participant.IsModerator && DisplayNames.Skeleton(participant.DisplayName) is { Length: > 0 } skeleton ? skeleton : null;
        var guestAddress = participant.ConnectionScoped ? session.ClientAddressHash : null;
        var snapshot = room.Admit(session.ConnectionId, displayId, hostName, guestAddress, time.GetUtcNow(), viewer: !participant.IsModerator);
        snapshot.You = new ParticipantView { UserId = displayId, DisplayName = participant.DisplayName, Role = participant.RoleName };
        viewers.Changed(room);
        if (!participant.IsModerator) activity.ViewerJoined(channelId, displayId, time.GetUtcNow());
        // Identified buyers have a share code; a Join through someone else's counts as a visit of theirs (once per show).
        var shareCode = participant.IsModerator || participant.ConnectionScoped ? null : await shareCodes.ForAsync(participant.UserId, cancellationToken);
        snapshot.You.ShareCode = shareCode;
        if (!participant.IsModerator && session.Referrer is { } referred)
            await shareCodes.VisitAsync(channelId, referred, participant.ConnectionScoped ? "address:" + (session.ClientAddressHash ?? session.ConnectionId) : participant.UserId,
                shareCode, cancellationToken);
        return snapshot;
    }

    public async Task LeaveAsync(ConnectionSession session, CancellationToken cancellationToken)
    {
        if (session.ChannelId is not { } channelId) return;
        var (participant, displayId) = (session.Participant, session.DisplayId);
        session.ChannelId = null;
        session.Participant = null;
        session.DisplayId = null;
        if (registry.Find(channelId) is { } room)
        {
            if (Forget(room, session, participant, displayId)) viewers.Changed(room);
        }
        await broadcaster.Groups.RemoveFromGroupAsync(session.ConnectionId, broadcaster.RoomGroup(channelId), cancellationToken);
        if (participant is { IsModerator: false })
            await broadcaster.Groups.RemoveFromGroupAsync(session.ConnectionId, RoomBroadcaster.BuyerGroup(channelId, participant.UserId), cancellationToken);
    }

    /// <summary>Called when the connection is gone: group membership went with it.</summary>
    public void Disconnected(ConnectionSession session)
    {
        if (session.ChannelId is not { } channelId || registry.Find(channelId) is not { } room) return;
        if (Forget(room, session, session.Participant, session.DisplayId)) viewers.Changed(room);
    }

    private static bool Forget(LiveRoom room, ConnectionSession session, Participant? participant, string? displayId) =>
        room.Remove(session.ConnectionId, participant is { ConnectionScoped: true } ? displayId : null);
}
