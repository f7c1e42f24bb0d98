using Microsoft.Extensions.Logging;

namespace Relay.Server.Diagnostics;

// Event ids 6240-6259: shows and their time lines (Shows/).
internal static partial class ShowsLog
{
    [LoggerMessage(6240, LogLevel.Information, "Show {ShowId} of channel {ChannelId} started")]
    public static partial void Started(ILogger logger, string showId, string channelId);

    [LoggerMessage(6241, LogLevel.Information, "Show {ShowId} of channel {ChannelId} goes on after a gap of {GapSeconds} s")]
    public static partial void Continued(ILogger logger, string showId, string channelId, long gapSeconds);

    [LoggerMessage(6242, LogLevel.Information, "Show {ShowId} of channel {ChannelId} ended")]
    public static partial void Ended(ILogger logger, string showId, string channelId);

    [LoggerMessage(6243, LogLevel.Warning, "Show recording of channel {ChannelId} failed ({Step})")]
    public static partial void StepFailed(ILogger logger, string channelId, string step, Exception exception);

    [LoggerMessage(6244, LogLevel.Warning, "{Count} room joins could not be written for the shows' unique viewers")]
    public static partial void AudienceFailed(ILogger logger, int count, Exception exception);
}
