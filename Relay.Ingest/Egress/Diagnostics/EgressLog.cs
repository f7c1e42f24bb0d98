using Microsoft.Extensions.Logging;
using Relay.Ingest.Diagnostics;

namespace Relay.Ingest.Egress.Diagnostics;

/// <summary>Egress log messages. Targets are always redacted before they get here.</summary>
internal static partial class EgressLog
{
    [LoggerMessage(EventId = EventIds.EgressLive, Level = LogLevel.Information, Message = "Egress {Channel}/{Destination} ({Platform}) live to {Target}")]
    public static partial void Live(ILogger logger, string channel, string destination, string platform, string target);

    [LoggerMessage(EventId = EventIds.EgressRetrying, Level = LogLevel.Warning, Message = "Egress {Channel}/{Destination} push ended at {Stage}: {Error}; retry {Failures} in {DelayMs} ms")]
    public static partial void Retrying(ILogger logger, string channel, string destination, EgressStage stage, string error, int failures, long delayMs);

    [LoggerMessage(EventId = EventIds.EgressFailed, Level = LogLevel.Error, Message = "Egress {Channel}/{Destination} failed after {Failures} failures in a row: {Error}")]
    public static partial void Failed(ILogger logger, string channel, string destination, int failures, string error);

    [LoggerMessage(EventId = EventIds.EgressLoopCrashed, Level = LogLevel.Error, Message = "Egress {Channel}/{Destination} supervisor loop crashed; restarting it")]
    public static partial void LoopCrashed(ILogger logger, Exception exception, string channel, string destination);

    [LoggerMessage(EventId = EventIds.EgressStopped, Level = LogLevel.Information, Message = "Egress {Channel}/{Destination} stopped ({Reason})")]
    public static partial void Stopped(ILogger logger, string channel, string destination, string reason);

    [LoggerMessage(EventId = EventIds.EgressDropped, Level = LogLevel.Warning, Message = "Egress {Channel}/{Destination} dropped {Frames} frames (fell behind)")]
    public static partial void Dropped(ILogger logger, string channel, string destination, long frames);
}
