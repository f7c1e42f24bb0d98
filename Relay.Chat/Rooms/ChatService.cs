using Microsoft.Extensions.Options;
using Relay.Chat.Configuration;
using Relay.Chat.Contracts;
using Relay.Chat.Diagnostics;
using Relay.Chat.Identity;

namespace Relay.Chat.Rooms;

/// <summary>Chat messages and moderation.</summary>
internal sealed class ChatService(LiveRoomRegistry registry, RoomBroadcaster broadcaster, IOptions<ChatOptions> options, TimeProvider time,
    DisplayIds displayIds)
{
    private readonly ChatOptions _options = options.Value;
    private readonly string[] _bannedTerms = [.. options.Value.BannedTerms.Select(TextSanitizer.MatchForm).Where(t => t.Length > 0)];
    private const int DeletableWindow = 1000;

    public async Task SendAsync(LiveSession session, string? text)
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
            lock (room.Gate)
            {
                CheckMuted(room, displayId, now);
                // A guest without a guest token is someone new on every connection: its address carries the mute over.
                if (participant.ConnectionScoped && session.ClientAddressHash is { } address)
                    CheckMuted(room, LiveRoom.MutedAddressKey(address), now);
                if (room.SlowModeSeconds > 0 && session.LastMessageAt.AddSeconds(room.SlowModeSeconds) is var next && next > now)
                    throw Refusal.Create(Refusal.SlowMode, Refusal.WaitHint(next - now));
            }
            if (_bannedTerms.Length > 0 && TextSanitizer.MatchForm(clean) is var form && _bannedTerms.Any(t => form.Contains(t, StringComparison.Ordinal)))
                throw Refusal.Create(Refusal.BannedTerm, "the message contains a term not allowed here");
            if (!session.Messages.TryTake(now, out var wait))
                throw Refusal.Create(Refusal.RateLimited, Refusal.WaitHint(wait));
            // The room's own budget, after the sender's: N connections each within their allowance must still not
            // become N times the writes to every viewer. The sender did nothing wrong, so it is told the room is slow.
            TokenBucket budget;
            lock (room.Gate) budget = room.MessageBudget ??= new TokenBucket(_options.RoomMessageBurst, _options.RoomMessagesPerSecond, now);
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
        lock (room.Gate)
        {
            session.LastMessageAt = now;
            if (_options.RecentMessages > 0)
            {
                room.Recent.AddLast(message);
                while (room.Recent.Count > _options.RecentMessages) room.Recent.RemoveFirst();
            }
            room.KnownMessageIds.Enqueue(message.Id);
            room.KnownMessageIdSet.Add(message.Id);
            while (room.KnownMessageIds.Count > DeletableWindow) room.KnownMessageIdSet.Remove(room.KnownMessageIds.Dequeue());
        }
        ChatMetrics.ChatMessages.WithLabels(room.ChannelId).Inc();
        await broadcaster.ToRoomAsync(room.ChannelId, "message", c => c.message(message));
    }

    public async Task DeleteAsync(LiveSession session, string? messageId)
    {
        var (room, _) = registry.Moderator(session);
        if (string.IsNullOrEmpty(messageId) || messageId.Length > RoomService.MaxIdLength)
            throw Refusal.Create(Refusal.Invalid, "messageId is required");
        lock (room.Gate)
        {
            // Removed from the id set but left in the queue: the queue only bounds the set's size.
            if (!room.KnownMessageIdSet.Remove(messageId))
                throw Refusal.Create(Refusal.NotFound, "no such message (or too old to delete)");
            if (room.Recent.FirstOrDefault(m => m.Id == messageId) is { } recent) room.Recent.Remove(recent);
        }
        await broadcaster.ToRoomAsync(room.ChannelId, "messageDeleted", c => c.messageDeleted(new MessageDeletedEvent { Id = messageId }));
    }

    public Task MuteAsync(LiveSession session, string? userId, int seconds)
    {
        var (room, _) = registry.Moderator(session);
        if (string.IsNullOrEmpty(userId) || userId.Length > RoomService.MaxIdLength)
            throw Refusal.Create(Refusal.Invalid, "userId is required");
        if (seconds < 0 || seconds > _options.MaxMuteSeconds)
            throw Refusal.Create(Refusal.Invalid, $"seconds must be between 0 (unmute) and {_options.MaxMuteSeconds}");
        if (userId.StartsWith("host_", StringComparison.Ordinal) || userId == "admin")
            throw Refusal.Create(Refusal.Invalid, "hosts and admins cannot be muted");
        var key = displayIds.MuteKey(room.ChannelId, userId);
        lock (room.Gate)
        {
            // A guest without a guest token gets a new id on its next connection: mute its address as well.
            var address = room.ConnectionGuestAddresses.TryGetValue(key, out var hash) ? LiveRoom.MutedAddressKey(hash)
                : room.MutedAddressOf.GetValueOrDefault(key);
            if (address is not null)
            {
                if (seconds == 0) room.MutedAddressOf.Remove(key);
                else room.MutedAddressOf[key] = address;
            }
            string[] keys = address is null ? [key] : [key, address];
            foreach (var muted in keys)
            {
                if (seconds == 0) room.MutedUntil.Remove(muted);
                else room.MutedUntil[muted] = time.GetUtcNow().AddSeconds(seconds);
            }
            // Expired mutes are dropped here too, so the map stays as small as the set of active mutes.
            foreach (var expired in room.MutedUntil.Where(m => m.Value <= time.GetUtcNow()).Select(m => m.Key).ToList())
                room.MutedUntil.Remove(expired);
            foreach (var gone in room.MutedAddressOf.Keys.Where(id => !room.MutedUntil.ContainsKey(id)).ToList())
                room.MutedAddressOf.Remove(gone);
        }
        return Task.CompletedTask;
    }

    /// <summary>Under the room's gate.</summary>
    private static void CheckMuted(LiveRoom room, string key, DateTimeOffset now)
    {
        if (!room.MutedUntil.TryGetValue(key, out var until)) return;
        if (until > now) throw Refusal.Create(Refusal.Muted, $"{Refusal.Seconds(until - now)} s left");
        room.MutedUntil.Remove(key);
    }

    public Task SetSlowModeAsync(LiveSession session, int seconds)
    {
        var (room, _) = registry.Moderator(session);
        if (seconds < 0 || seconds > _options.MaxSlowModeSeconds)
            throw Refusal.Create(Refusal.Invalid, $"seconds must be between 0 (off) and {_options.MaxSlowModeSeconds}");
        lock (room.Gate) room.SlowModeSeconds = seconds;
        return Task.CompletedTask;
    }
}
