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

    public async Task<JoinSnapshot> JoinAsync(ConnectionSession session, string? channelId, JoinOptions? options, CancellationToken cancellationToken) =>
        (await AdmitAsync(session, channelId, options, resuming: false, cancellationToken)).Snapshot;

    /// <summary>
    /// <c>Resume(channelId, lastSeq)</c>: a client that lost its connection joins again on the new one and gets what it
    /// missed. The room replays the events after <paramref name="lastSeq"/> when it still keeps them all, else the answer
    /// is a fresh snapshot. The connection is in the room's group before the events are read, so an event is either in
    /// the answer or sent live (or both: the client skips a seq it already has). The name and referrer are the ones this
    /// identity last joined the room with on this node.
    /// </summary>
    public async Task<ResumeResult> ResumeAsync(ConnectionSession session, string? channelId, long lastSeq, CancellationToken cancellationToken)
    {
        if (lastSeq < 0) throw Refusal.Create(Refusal.Invalid, "lastSeq must be 0 or more");
        var (room, snapshot) = await AdmitAsync(session, channelId, null, resuming: true, cancellationToken);
        return room.EventsAfter(lastSeq) is { } missed
            ? new ResumeResult { Seq = missed.Seq, Events = missed.Events, You = snapshot.You }
            : new ResumeResult { Seq = snapshot.Seq, Snapshot = snapshot, You = snapshot.You };
    }

    private async Task<(LiveRoom Room, JoinSnapshot Snapshot)> AdmitAsync(ConnectionSession session, string? channelId, JoinOptions? options, bool resuming,
        CancellationToken cancellationToken)
    {
        if (string.IsNullOrWhiteSpace(channelId) || channelId.Length > MaxIdLength)
            throw Refusal.Create(Refusal.Invalid, "channelId is required (at most 128 characters)");
        var room = await registry.GetOrOpenAsync(channelId, cancellationToken)
            ?? throw Refusal.Create(Refusal.NotFound, "no such channel");
        var participant = await resolver.ResolveAsync(session.AccessToken, session.ConnectionGuestId, channelId, options?.DisplayName, room.HostNameSkeletons(), cancellationToken)
            ?? throw Refusal.Create(Refusal.Unauthorized, "the access token is not valid for this channel");
        if (resuming && room.JoinedAs(displayIds.For(channelId, participant)) is { } joined)
        {
            options = new JoinOptions { DisplayName = joined.Name, Referrer = joined.Referrer };
            if (joined.Name is not null)
                participant = await resolver.ResolveAsync(session.AccessToken, session.ConnectionGuestId, channelId, joined.Name, room.HostNameSkeletons(), cancellationToken)
                    ?? participant;
        }

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
        if (!participant.IsModerator)
        {
            if (!participant.ConnectionScoped) room.RememberJoin(displayId, options?.DisplayName, session.Referrer);
            activity.ViewerJoined(channelId, displayId, time.GetUtcNow());
        }
        // Identified buyers have a share code; a Join through someone else's counts as a visit of theirs (once per show).
        var shareCode = participant.IsModerator || participant.ConnectionScoped ? null : await shareCodes.ForAsync(participant.UserId, cancellationToken);
        snapshot.You.ShareCode = shareCode;
        if (!participant.IsModerator && session.Referrer is { } referred)
            await shareCodes.VisitAsync(channelId, referred, participant.ConnectionScoped ? "address:" + (session.ClientAddressHash ?? session.ConnectionId) : participant.UserId,
                shareCode, cancellationToken);
        return (room, snapshot);
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
