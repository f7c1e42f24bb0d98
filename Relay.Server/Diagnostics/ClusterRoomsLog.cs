using Microsoft.Extensions.Logging;

namespace Relay.Server.Diagnostics;

// Event ids 6160-6179: the live room across nodes (Cluster/Rooms).
internal static partial class ClusterRoomsLog
{
    [LoggerMessage(6160, LogLevel.Information, "Room bus subscribed to {Channel}")]
    public static partial void Subscribed(ILogger logger, string channel);

    [LoggerMessage(6161, LogLevel.Warning, "Room bus cannot subscribe yet (Redis unavailable); retrying every second")]
    public static partial void SubscribeFailed(ILogger logger, Exception exception);

    [LoggerMessage(6162, LogLevel.Warning, "Room event of channel {ChannelId} could not be applied")]
    public static partial void ReceiveFailed(ILogger logger, string channelId, Exception exception);

    [LoggerMessage(6163, LogLevel.Warning, "Room events of channel {ChannelId} were missed: seq {LastSeq} then {Seq}")]
    public static partial void EventsMissed(ILogger logger, string channelId, long lastSeq, long seq);

    [LoggerMessage(6164, LogLevel.Warning, "A {Kind} event of channel {ChannelId} did not come back from Redis in time")]
    public static partial void OwnEventLate(ILogger logger, string kind, string channelId);

    [LoggerMessage(6165, LogLevel.Warning, "Renewing this node's viewer count of channel {ChannelId} failed")]
    public static partial void ViewerRefreshFailed(ILogger logger, string channelId, Exception exception);
}
