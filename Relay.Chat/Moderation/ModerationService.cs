using Microsoft.Extensions.Options;
using Relay.Chat.Configuration;
using Relay.Chat.Diagnostics;
using Relay.Chat.Identity;
using Relay.Chat.Rooms;

namespace Relay.Chat.Moderation;

/// <summary>What a room's host or an admin does to its chat: delete a message, mute a participant, set slow mode.</summary>
internal sealed class ModerationService(LiveRoomRegistry registry, RoomEvents events, IOptions<ChatOptions> options, TimeProvider time,
    DisplayIds displayIds)
{
    private readonly ChatOptions _options = options.Value;

    public async Task DeleteAsync(ConnectionSession session, string? messageId)
    {
        var (room, _) = registry.Moderator(session);
        if (string.IsNullOrEmpty(messageId) || messageId.Length > RoomService.MaxIdLength)
            throw Refusal.Create(Refusal.Invalid, "messageId is required");
        if (!room.IsDeletable(messageId))
            throw Refusal.Create(Refusal.NotFound, "no such message (or too old to delete)");
        await events.PublishAsync(new RoomEvent { ChannelId = room.ChannelId, Kind = RoomEventKind.MessageDeleted, MessageId = messageId });
    }

    public async Task MuteAsync(ConnectionSession session, string? userId, int seconds)
    {
        var (room, _) = registry.Moderator(session);
        if (string.IsNullOrEmpty(userId) || userId.Length > RoomService.MaxIdLength)
            throw Refusal.Create(Refusal.Invalid, "userId is required");
        if (seconds < 0 || seconds > _options.MaxMuteSeconds)
            throw Refusal.Create(Refusal.Invalid, $"seconds must be between 0 (unmute) and {_options.MaxMuteSeconds}");
        if (userId.StartsWith("host_", StringComparison.Ordinal) || userId == "admin")
            throw Refusal.Create(Refusal.Invalid, "hosts and admins cannot be muted");
        var now = time.GetUtcNow();
        await events.PublishAsync(new RoomEvent
        {
            ChannelId = room.ChannelId, Kind = RoomEventKind.Mute, MuteKey = displayIds.MuteKey(room.ChannelId, userId),
            MutedUntil = seconds == 0 ? null : now.AddSeconds(seconds), At = now,
        });
    }

    public async Task SetSlowModeAsync(ConnectionSession session, int seconds)
    {
        var (room, _) = registry.Moderator(session);
        if (seconds < 0 || seconds > _options.MaxSlowModeSeconds)
            throw Refusal.Create(Refusal.Invalid, $"seconds must be between 0 (off) and {_options.MaxSlowModeSeconds}");
        await events.PublishAsync(new RoomEvent { ChannelId = room.ChannelId, Kind = RoomEventKind.SlowMode, SlowModeSeconds = seconds });
    }
}
