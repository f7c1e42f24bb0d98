using Microsoft.Extensions.Options;
using Relay.Chat.Configuration;
using Relay.Chat.Contracts;
using Relay.Chat.Diagnostics;
using Relay.Chat.Identity;
using Relay.Chat.Rooms;

namespace Relay.Chat.Moderation;

/// <summary>Chat messages: what a sender must pass (mute, slow mode, banned terms, its own and the room's rate) before
/// the room gets the message.</summary>
internal sealed class ChatService(LiveRoomRegistry registry, RoomEvents events, IOptions<ChatOptions> options, TimeProvider time)
{
    private readonly ChatOptions _options = options.Value;
    private readonly string[] _bannedTerms = [.. options.Value.BannedTerms.Select(TextSanitizer.MatchForm).Where(t => t.Length > 0)];

    public async Task SendAsync(ConnectionSession session, string? text)
    {
        var (room, participant) = registry.Joined(session);
        var clean = TextSanitizer.Clean(text, _options.MaxMessageLength);
        if (clean.Length == 0)
            throw Refusal.Create(Refusal.Invalid, "empty message");
        if (clean.Length > _options.MaxMessageLength)
            throw Refusal.Create(Refusal.TooLong, $"at most {_options.MaxMessageLength} characters");

        var now = time.GetUtcNow();
        // Mutes are keyed by the display id, the only id a moderator ever sees.
        var displayId = session.DisplayId!;
        if (!participant.IsModerator)
        {
            CheckMuted(room.MutedFor(displayId, isAddress: false, now));
            // A guest without a guest token is someone new on every connection: its address carries the mute over.
            if (participant.ConnectionScoped && session.ClientAddressHash is { } address)
                CheckMuted(room.MutedFor(address, isAddress: true, now));
            if (room.SlowModeNext(session.LastMessageAt, now) is { } next)
                throw Refusal.Create(Refusal.SlowMode, Refusal.WaitHint(next - now));
            if (_bannedTerms.Length > 0 && TextSanitizer.MatchForm(clean) is var form && _bannedTerms.Any(t => form.Contains(t, StringComparison.Ordinal)))
                throw Refusal.Create(Refusal.BannedTerm, "the message contains a term not allowed here");
            if (!session.Messages.TryTake(now, out var wait))
                throw Refusal.Create(Refusal.RateLimited, Refusal.WaitHint(wait));
            // The room's own budget, after the sender's: N connections each within their allowance must still not
            // become N times the writes to every viewer. The sender did nothing wrong, so it is told the room is slow.
            var budget = room.MessageBudget(_options.RoomMessageBurst, _options.RoomMessagesPerSecond, now);
            if (!budget.TryTake(now, out var roomWait))
                throw Refusal.Create(Refusal.SlowMode, "the room is busy, " + Refusal.WaitHint(roomWait));
        }

        var message = new ChatMessageView
        {
            Id = "msg_" + Guid.NewGuid().ToString("N"),
            UserId = displayId,
            DisplayName = participant.DisplayName,
            Text = clean,
            At = now.UtcDateTime,
            Role = participant.RoleName,
        };
        // One call at a time per connection (MaximumParallelInvocationsPerClient = 1): the session needs no lock.
        session.LastMessageAt = now;
        ChatMetrics.ChatMessages.WithLabels(room.ChannelId).Inc();
        // Every node's room records it and sends it to its viewers, in the room's seq order.
        await events.PublishAsync(new RoomEvent { ChannelId = room.ChannelId, Kind = RoomEventKind.Message, Message = message, RecentLimit = _options.RecentMessages, At = now });
    }

    private static void CheckMuted(TimeSpan? left)
    {
        if (left is { } l) throw Refusal.Create(Refusal.Muted, $"{Refusal.Seconds(l)} s left");
    }
}
