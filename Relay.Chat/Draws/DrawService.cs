using System.Collections.Concurrent;
using System.Security.Cryptography;
using Microsoft.Extensions.Options;
using Relay.Chat.Configuration;
using Relay.Chat.Contracts;
using Relay.Chat.Diagnostics;
using Relay.Chat.Identity;
using Relay.Chat.Ledger;
using Relay.Chat.Rooms;

namespace Relay.Chat.Draws;

/// <summary>
/// `StartDraw` and `EnterDraw` (v2). A draw is stored before it is announced (its seed, secret until the end, and the
/// commitment = SHA-256 of it), so a restart or another node can end it (<see cref="DrawClock"/>). Entries are unique per
/// buyer in the database; the entrant count reaches the room paced (at most 2 `draw` updates a second per node).
/// Guests: a guest with a guest token may enter when guest checkout is allowed (a prize is an order); a guest without
/// one (its id lives only as long as its connection) gets <c>login_required</c>.
/// </summary>
internal sealed class DrawService(
    LiveRoomRegistry registry,
    RoomEvents events,
    IDrawStore store,
    IEnumerable<IFollowerLookup> followers,
    IOptions<CommerceOptions> commerce,
    TimeProvider time,
    RoomCues cues)
{
    public const int MaxWinners = 1000;
    public const int MinDurationSeconds = 10;
    public const int MaxDurationSeconds = 3600;

    internal static readonly TimeSpan EntrantsInterval = TimeSpan.FromMilliseconds(500);

    private readonly IFollowerLookup? _followers = followers.FirstOrDefault();
    private readonly ConcurrentDictionary<string, EntrantCount> _counts = new(StringComparer.Ordinal);

    public async Task StartAsync(ConnectionSession session, DrawRequest? request, CancellationToken cancellationToken)
    {
        var (room, _) = registry.Moderator(session);
        if (request is null) throw Refusal.Create(Refusal.Invalid, "a {sku, winners, durationSeconds, requires?} object is required");
        if (string.IsNullOrEmpty(request.Sku) || request.Sku.Length > RoomService.MaxIdLength)
            throw Refusal.Create(Refusal.Invalid, "sku is required");
        if (request.Winners < 1 || request.Winners > MaxWinners)
            throw Refusal.Create(Refusal.Invalid, $"winners must be between 1 and {MaxWinners}");
        if (request.DurationSeconds < MinDurationSeconds || request.DurationSeconds > MaxDurationSeconds)
            throw Refusal.Create(Refusal.Invalid, $"durationSeconds must be between {MinDurationSeconds} and {MaxDurationSeconds}");
        var requires = string.IsNullOrEmpty(request.Requires) ? DrawRequirement.None : request.Requires;
        if (requires == DrawRequirement.Follow && _followers is null)
            throw Refusal.Create(Refusal.Invalid, "requires follow is not available yet");
        if (requires is not (DrawRequirement.None or DrawRequirement.Message or DrawRequirement.Follow))
            throw Refusal.Create(Refusal.Invalid, "requires must be none, message or follow");
        var product = room.FindProduct(request.Sku) ?? throw Refusal.Create(Refusal.NotFound, "sku is not in the line-up");
        if (room.RunningDraw() is not null) throw Refusal.Create(Refusal.Invalid, "a draw is already running in this room");

        var now = time.GetUtcNow();
        var stamp = cues.Stamp(room.ChannelId);
        var seed = RandomNumberGenerator.GetBytes(32);
        var draw = new DrawRecord("dr_" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(8)), room.ChannelId, product.Sku, product.Currency,
            request.Winners, requires, DrawMethod.Commitment(seed), Convert.ToHexStringLower(seed), now, now.AddSeconds(request.DurationSeconds),
            Ended: false, Entrants: 0, WinnerList: []);
        if (!await store.StartDrawAsync(draw, cancellationToken))
            throw Refusal.Create(Refusal.Invalid, "a draw is already running in this room");
        await events.PublishAsync(new RoomEvent { ChannelId = room.ChannelId, Kind = RoomEventKind.DrawStarted, Draw = DrawViews.Of(draw) }, cancellationToken);
        await cues.CueAsync(room.ChannelId, stamp, CueKinds.Draw, draw.DrawId);
    }

    public async Task<DrawEntryResult> EnterAsync(ConnectionSession session, CancellationToken cancellationToken)
    {
        var (room, participant) = registry.Joined(session);
        if (participant.IsModerator) return Answer(DrawEntryStatus.NotEligible, "hosts and admins cannot enter a draw");
        if (participant.ConnectionScoped || (participant.Role == ParticipantRole.Guest && !commerce.Value.AllowGuestCheckout))
            return Answer(DrawEntryStatus.LoginRequired, "sign in to enter the draw");
        var now = time.GetUtcNow();
        if (room.RunningDraw() is not { } draw || draw.EndsAt <= now.UtcDateTime) return Answer(DrawEntryStatus.Closed, "no draw is open");
        var displayId = session.DisplayId!;
        if (draw.Requires == DrawRequirement.Message && !room.SentMessageDuringDraw(displayId))
            return Answer(DrawEntryStatus.NotEligible, "send a chat message in the room first");
        if (draw.Requires == DrawRequirement.Follow && (_followers is null || !await _followers.FollowsAsync(room.ChannelId, participant.UserId, cancellationToken)))
            return Answer(DrawEntryStatus.NotEligible, "follow the channel first");

        var entry = await store.EnterDrawAsync(draw.DrawId, new DrawEntrant(displayId, participant.DisplayName), participant.UserId, session.Referrer, now, cancellationToken);
        switch (entry.Outcome)
        {
            case DrawEntryOutcome.Closed:
                return Answer(DrawEntryStatus.Closed, "the draw has ended");
            case DrawEntryOutcome.AlreadyEntered:
                return Answer(DrawEntryStatus.Entered, "already entered");
            default:
                ChatMetrics.DrawEntries.WithLabels(room.ChannelId).Inc();
                var count = _counts.GetOrAdd(room.ChannelId, _ => new EntrantCount());
                if (count.Offer(draw.DrawId, entry.Entrants)) _ = PublishCountsAsync(room.ChannelId, count);
                return new DrawEntryResult { Status = DrawEntryStatus.Entered };
        }
    }

    private static DrawEntryResult Answer(string status, string reason) => new() { Status = status, Reason = reason };

    private async Task PublishCountsAsync(string channelId, EntrantCount count)
    {
        while (true)
        {
            await Task.Delay(EntrantsInterval, time);
            if (count.Take() is not { } latest) return;
            await events.PublishSafeAsync(new RoomEvent
            {
                ChannelId = channelId, Kind = RoomEventKind.DrawEntrants, DrawId = latest.DrawId, DrawEntrants = latest.Entrants,
            });
        }
    }
}
