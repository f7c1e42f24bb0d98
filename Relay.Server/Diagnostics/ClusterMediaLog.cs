namespace Relay.Server.Diagnostics;

// Event ids 6140-6159: media across the nodes of a cluster (channel leases, mirrors' origin, live announcements).
internal static partial class ClusterMediaLog
{
    [LoggerMessage(6140, LogLevel.Information, "Channel {ChannelId}: this node ({NodeId}) owns it now")]
    public static partial void Owned(ILogger logger, string channelId, string nodeId);

    [LoggerMessage(6141, LogLevel.Information, "Channel {ChannelId}: refused here, node {Holder} owns it (live there)")]
    public static partial void HeldElsewhere(ILogger logger, string channelId, string holder);

    [LoggerMessage(6142, LogLevel.Warning, "Channel {ChannelId}: its lease could not be taken ({Error}); refusing the publish")]
    public static partial void ClaimFailed(ILogger logger, string channelId, string error);

    [LoggerMessage(6143, LogLevel.Warning, "Channel {ChannelId}: renewing its lease failed ({Error}); it ends in {Remaining} unless a renewal gets through")]
    public static partial void RenewFailed(ILogger logger, string channelId, string error, TimeSpan remaining);

    [LoggerMessage(6144, LogLevel.Warning, "Channel {ChannelId}: this node lost its lease ({Why}); the channel stops here")]
    public static partial void LeaseLost(ILogger logger, string channelId, string why);

    [LoggerMessage(6145, LogLevel.Information, "Channel {ChannelId}: released (this node no longer owns it)")]
    public static partial void Released(ILogger logger, string channelId);

    [LoggerMessage(6146, LogLevel.Warning, "Channel {ChannelId}: releasing its lease failed ({Error}); it ends by itself within the lease")]
    public static partial void ReleaseFailed(ILogger logger, string channelId, string error);

    [LoggerMessage(6147, LogLevel.Debug, "Channel {ChannelId}: announcing it {State} failed ({Error})")]
    public static partial void AnnounceFailed(ILogger logger, string channelId, string state, string error);

    [LoggerMessage(6148, LogLevel.Warning, "Listening for live channels of the other nodes failed ({Error}); retrying")]
    public static partial void SubscribeFailed(ILogger logger, string error);
}
