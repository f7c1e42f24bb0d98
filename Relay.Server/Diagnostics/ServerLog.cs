
namespace Relay.Server.Diagnostics;

// Event ids 6000-6099 belong to the server host (channel catalog, adapters, bootstrap). No key or token is a parameter.
internal static partial class ServerLog
{
    [LoggerMessage(6000, LogLevel.Information, "Created the demo channel {ChannelId} on first start")]
    public static partial void DemoChannelCreated(ILogger logger, string channelId);

    [LoggerMessage(6001, LogLevel.Error, "Channel observer {Observer} failed on {Change} of channel {ChannelId}")]
    public static partial void ChannelObserverFailed(ILogger logger, string observer, string change, string channelId, Exception exception);

    [LoggerMessage(6002, LogLevel.Error, "Destinations of channel {ChannelId} were not applied: {Problem}")]
    public static partial void DestinationsNotApplied(ILogger logger, string channelId, string problem);

    [LoggerMessage(6003, LogLevel.Error, "Telling the live room of channel {ChannelId} that it is {State} failed")]
    public static partial void LiveRoomStateFailed(ILogger logger, string channelId, string state, Exception exception);
}
