using Microsoft.Extensions.Logging;
using Relay.Ingest.Diagnostics;

namespace Relay.Ingest.Slate;

internal static partial class SlateLog
{
    [LoggerMessage(EventId = EventIds.SlateEncoded, Level = LogLevel.Information, Message = "Slate for channel {ChannelId} ready: {Shape}, {Frames} frames, {Bytes} bytes ({Source}, {Milliseconds:F0} ms)")]
    public static partial void Encoded(ILogger logger, string channelId, string shape, int frames, int bytes, string source, double milliseconds);

    [LoggerMessage(EventId = EventIds.SlateEncodeFailed, Level = LogLevel.Warning, Message = "Slate for channel {ChannelId} ({Shape}) could not be encoded; a drop holds the channel without a picture: {Error}")]
    public static partial void EncodeFailed(ILogger logger, string channelId, string shape, string error);
}
