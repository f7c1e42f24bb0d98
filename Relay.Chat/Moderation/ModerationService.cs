using Microsoft.Extensions.Options;
using Relay.Chat.Configuration;
using Relay.Chat.Contracts;
using Relay.Chat.Diagnostics;
using Relay.Chat.Identity;
using Relay.Chat.Rooms;

namespace Relay.Chat.Moderation;

/// <summary>What a room's host or an admin does to its chat: delete a message, mute a participant, set slow mode.</summary>
internal sealed class ModerationService(LiveRoomRegistry registry, RoomBroadcaster broadcaster, IOptions<ChatOptions> options, TimeProvider time,
    DisplayIds displayIds)
{
    private readonly ChatOptions _options = options.Value;

    public async Task DeleteAsync(ConnectionSession session, string? messageId)
    {
        var (room, _) = registry.Moderator(session);
        if (string.IsNullOrEmpty(messageId) || messageId.Length > RoomService.MaxIdLength)
            throw Refusal.Create(Refusal.Invalid, "messageId is required");
        if (!room.TryDeleteMessage(messageId))
            throw Refusal.Create(Refusal.NotFound, "no such message (or too old to delete)");
        await broadcaster.ToRoomAsync(room.ChannelId, "messageDeleted", c => c.messageDeleted(new MessageDeletedEvent { Id = messageId }));
    }

    public Task MuteAsync(ConnectionSession session, string? userId, int seconds)
    {
        var (room, _) = registry.Moderator(session);
        if (string.IsNullOrEmpty(userId) || userId.Length > RoomService.MaxIdLength)
            throw Refusal.Create(Refusal.Invalid, "userId is required");
        if (seconds < 0 || seconds > _options.MaxMuteSeconds)
            throw Refusal.Create(Refusal.Invalid, $"seconds must be between 0 (unmute) and {_options.MaxMuteSeconds}");
        if (userId.StartsWith("host_", StringComparison.Ordinal) || userId == "admin")
            throw Refusal.Create(Refusal.Invalid, "hosts and admins cannot be muted");
        var now = time.GetUtcNow();
        room.SetMute(displayIds.MuteKey(room.ChannelId, userId), seconds == 0 ? null : now.AddSeconds(seconds), now);
        return Task.CompletedTask;
    }

    public Task SetSlowModeAsync(ConnectionSession session, int seconds)
    {
        var (room, _) = registry.Moderator(session);
        if (seconds < 0 || seconds > _options.MaxSlowModeSeconds)
            throw Refusal.Create(Refusal.Invalid, $"seconds must be between 0 (off) and {_options.MaxSlowModeSeconds}");
        room.SetSlowMode(seconds);
        return Task.CompletedTask;
    }
}
