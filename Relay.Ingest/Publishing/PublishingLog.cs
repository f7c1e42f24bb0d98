using System.Net;
using Microsoft.Extensions.Logging;
using Relay.Ingest.Diagnostics;

namespace Relay.Ingest.Publishing;

/// <summary>Log messages of RTMP publishing (the listener's connections).</summary>
internal static partial class PublishingLog
{
    /// <summary>Counts a refusal by reason and logs it (with the address, never the key).</summary>
    public static void CountRefusal(ILogger logger, IPEndPoint remote, string refusal)
    {
        IngestMetrics.Rejected.WithLabels(refusal).Inc();
        Refused(logger, remote, refusal);
    }

    [LoggerMessage(EventId = EventIds.ConnectionRejected, Level = LogLevel.Information, Message = "Refused RTMP publish from {Remote}: {Reason}")]
    public static partial void Refused(ILogger logger, IPEndPoint remote, string reason);

    [LoggerMessage(EventId = EventIds.ProtocolError, Level = LogLevel.Debug, Message = "RTMP protocol error from {Remote}: {Error}")]
    public static partial void ProtocolError(ILogger logger, IPEndPoint remote, string error);

    [LoggerMessage(EventId = EventIds.PublishStarted, Level = LogLevel.Information, Message = "Channel {ChannelId} is live (publisher {Remote}, {Input} input)")]
    public static partial void Live(ILogger logger, string channelId, IPEndPoint remote, string input);

    [LoggerMessage(EventId = EventIds.InputLost, Level = LogLevel.Information, Message = "Channel {ChannelId}: its {Input} publisher is gone ({Why}, connected for {Duration}); the channel stays live")]
    public static partial void InputLost(ILogger logger, string channelId, string input, string why, TimeSpan duration);

    [LoggerMessage(EventId = EventIds.MetadataDropped, Level = LogLevel.Warning, Message = "Channel {ChannelId}: onMetaData of {Bytes} bytes dropped (more than {MaxBytes}); the stream goes on without it")]
    public static partial void MetadataDropped(ILogger logger, string channelId, int bytes, int maxBytes);

    [LoggerMessage(EventId = EventIds.FirstMedia, Level = LogLevel.Information, Message = "Channel {ChannelId}: first media {Milliseconds:F0} ms after publish")]
    public static partial void FirstMedia(ILogger logger, string channelId, double milliseconds);

    [LoggerMessage(EventId = EventIds.PublishEnded, Level = LogLevel.Information, Message = "Channel {ChannelId} is offline: {Why} (live for {Duration})")]
    public static partial void Offline(ILogger logger, string channelId, string why, TimeSpan duration);

    [LoggerMessage(EventId = EventIds.ConnectionEnded, Level = LogLevel.Debug, Message = "RTMP connection from {Remote} ended: {Reason}")]
    public static partial void ConnectionEnded(ILogger logger, IPEndPoint remote, string reason);

    [LoggerMessage(EventId = EventIds.AuthorizerFailed, Level = LogLevel.Error, Message = "Publish authorizer failed for {Remote}; refusing the publish")]
    public static partial void AuthorizerFailed(ILogger logger, Exception exception, IPEndPoint remote);

    [LoggerMessage(EventId = EventIds.OwnershipFailed, Level = LogLevel.Warning, Message = "Channel {ChannelId}: its ownership could not be decided; refusing the publish")]
    public static partial void OwnershipFailed(ILogger logger, Exception exception, string channelId);

    [LoggerMessage(EventId = EventIds.OwnershipReleaseFailed, Level = LogLevel.Warning, Message = "Channel {ChannelId}: releasing its ownership failed (it ends with the lease)")]
    public static partial void OwnershipReleaseFailed(ILogger logger, Exception exception, string channelId);

    [LoggerMessage(EventId = EventIds.OwnershipLost, Level = LogLevel.Warning, Message = "Channel {ChannelId}: this node lost its ownership while live; disconnecting the publisher")]
    public static partial void OwnershipLost(ILogger logger, string channelId);
}
