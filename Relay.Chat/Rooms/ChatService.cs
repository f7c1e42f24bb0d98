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
        var displayId = displayIds.For(room.ChannelId, participant);
        if (!participant.IsModerator)
        {
            lock (room.Gate)
            {
                if (room.MutedUntil.TryGetValue(displayId, out var until))
                {
                    if (until > now) throw Refusal.Create(Refusal.Muted, $"{Refusal.Seconds(until - now)} s left");
                    room.MutedUntil.Remove(displayId);
                }
                if (room.SlowModeSeconds > 0 && session.LastMessageAt.AddSeconds(room.SlowModeSeconds) is var next && next > now)
                    throw Refusal.Create(Refusal.SlowMode, Refusal.WaitHint(next - now));
            }
            if (_options.BannedTerms.FirstOrDefault(t => clean.Contains(t, StringComparison.OrdinalIgnoreCase)) is not null)
                throw Refusal.Create(Refusal.BannedTerm, "the message contains a term not allowed here");
            if (!session.Messages.TryTake(now, out var wait))
                throw Refusal.Create(Refusal.RateLimited, Refusal.WaitHint(wait));
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
            if (seconds == 0) room.MutedUntil.Remove(key);
            else room.MutedUntil[key] = time.GetUtcNow().AddSeconds(seconds);
            // Expired mutes are dropped here too, so the map stays as small as the set of active mutes.
            foreach (var expired in room.MutedUntil.Where(m => m.Value <= time.GetUtcNow()).Select(m => m.Key).ToList())
                room.MutedUntil.Remove(expired);
        }
        return Task.CompletedTask;
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
