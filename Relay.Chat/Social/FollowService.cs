using Microsoft.Extensions.Options;
using Relay.Chat.Configuration;
using Relay.Chat.Contracts;
using Relay.Chat.Crm;
using Relay.Chat.Diagnostics;
using Relay.Chat.Identity;
using Relay.Chat.Rooms;

namespace Relay.Chat.Social;

/// <summary>
/// `Follow()`, `Unfollow()` and `RemindMe()` of a signed-in viewer (a viewer JWT) in the room it joined. The follower row
/// and, on the viewer's first follow of the channel ever (or a reminder new for that next show), the CRM event are written
/// in one transaction, then the CRM dispatcher is woken. With Crm:Endpoint unset nothing is queued.
/// </summary>
internal sealed class FollowService(
    LiveRoomRegistry registry,
    IFollowers followers,
    CrmDispatchSignal crmSignal,
    IOptions<CrmOptions> crm,
    TimeProvider time)
{
    public async Task<FollowResult> FollowAsync(ConnectionSession session, CancellationToken cancellationToken)
    {
        var (room, viewer) = SignedIn(session);
        var now = time.GetUtcNow();
        var body = new CrmEventBody(CrmEventKinds.Follow, room.ChannelId, viewer.UserId, viewer.DisplayName, session.Referrer, now, null);
        var write = new FollowWrite(room.ChannelId, viewer.UserId, viewer.DisplayName, session.Referrer, now,
            crm.Value.Enabled ? CrmEventWrite.Of(CrmEventWrite.FollowId(room.ChannelId, viewer.UserId), body) : null);
        var outcome = await followers.FollowAsync(write, cancellationToken);
        if (outcome.Changed) ChatMetrics.Follows.WithLabels(room.ChannelId).Inc();
        if (outcome.First && write.Crm is not null) Queued(CrmEventKinds.Follow);
        return new FollowResult { Following = true };
    }

    public async Task<FollowResult> UnfollowAsync(ConnectionSession session, CancellationToken cancellationToken)
    {
        var (room, viewer) = SignedIn(session);
        await followers.UnfollowAsync(room.ChannelId, viewer.UserId, time.GetUtcNow(), cancellationToken);
        return new FollowResult { Following = false };
    }

    public async Task<RemindResult> RemindMeAsync(ConnectionSession session, CancellationToken cancellationToken)
    {
        var (room, viewer) = SignedIn(session);
        var now = time.GetUtcNow();
        if (room.NextShowAt() is not { } next || next <= now)
            throw Refusal.Create(Refusal.Invalid, "no next show is announced for this channel");
        var body = new CrmEventBody(CrmEventKinds.Remind, room.ChannelId, viewer.UserId, viewer.DisplayName, session.Referrer, now, next);
        var write = crm.Value.Enabled ? CrmEventWrite.Of(CrmEventWrite.RemindId(room.ChannelId, viewer.UserId, next), body) : null;
        if (await followers.RemindAsync(room.ChannelId, viewer.UserId, next, now, write, cancellationToken) && write is not null)
            Queued(CrmEventKinds.Remind);
        return new RemindResult { Reminded = true };
    }

    /// <summary>The Join snapshot's <c>you.following</c>: only a signed-in viewer has one.</summary>
    public async Task<bool?> FollowingAsync(ConnectionSession session, CancellationToken cancellationToken) =>
        session is { ChannelId: { } channelId, Participant: { Role: ParticipantRole.Viewer } viewer }
            ? await followers.IsFollowingAsync(channelId, viewer.UserId, cancellationToken)
            : null;

    private void Queued(string kind)
    {
        ChatMetrics.CrmEvents.WithLabels(kind, CrmEventStatus.Queued).Inc();
        crmSignal.Notify();
    }

    private (LiveRoom Room, Participant Viewer) SignedIn(ConnectionSession session)
    {
        var (room, participant) = registry.Joined(session);
        return participant.Role switch
        {
            ParticipantRole.Viewer => (room, participant),
            ParticipantRole.Guest => throw Refusal.Create(Refusal.LoginRequired, "sign in to follow this channel or to be reminded"),
            _ => throw Refusal.Create(Refusal.Invalid, "hosts and admins cannot follow; join as a signed-in viewer"),
        };
    }
}
