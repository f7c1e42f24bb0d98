using System.Net;
using Microsoft.Extensions.Logging;
using Relay.Ingest.Diagnostics;

namespace Relay.Ingest.Srt;

/// <summary>Log messages of SRT publishing. Live, first media and offline lines are the RTMP ones (PublishingLog).</summary>
internal static partial class SrtLog
{
    /// <summary>Counts a refusal by reason (the series RTMP counts in) and logs it with the address, never the key.</summary>
    public static void CountRefusal(ILogger logger, IPEndPoint remote, string refusal)
    {
        IngestMetrics.Rejected.WithLabels(refusal).Inc();
        Refused(logger, remote, refusal);
    }

    [LoggerMessage(EventId = EventIds.SrtListening, Level = LogLevel.Information, Message = "SRT ingest listening on {EndPoint} (receiver latency {LatencyMs} ms)")]
    public static partial void Listening(ILogger logger, IPEndPoint endPoint, int latencyMs);

    [LoggerMessage(EventId = EventIds.SrtRefused, Level = LogLevel.Information, Message = "Refused SRT publish from {Remote}: {Reason}")]
    public static partial void Refused(ILogger logger, IPEndPoint remote, string reason);

    [LoggerMessage(EventId = EventIds.SrtStreamIdRefused, Level = LogLevel.Debug, Message = "SRT streamid from {Remote} refused: {Error}")]
    public static partial void StreamIdRefused(ILogger logger, IPEndPoint remote, string error);

    [LoggerMessage(EventId = EventIds.SrtAcceptFailed, Level = LogLevel.Warning, Message = "Accepting an SRT connection failed: {Error}; retrying")]
    public static partial void AcceptFailed(ILogger logger, string error);

    [LoggerMessage(EventId = EventIds.SrtConnectionFailed, Level = LogLevel.Error, Message = "SRT connection handler failed unexpectedly")]
    public static partial void ConnectionCrashed(ILogger logger, Exception exception);

    [LoggerMessage(EventId = EventIds.SrtConnectionEnded, Level = LogLevel.Debug, Message = "SRT connection from {Remote} ended: {Reason}")]
    public static partial void ConnectionEnded(ILogger logger, IPEndPoint remote, string reason);

    [LoggerMessage(EventId = EventIds.SrtRemuxFailed, Level = LogLevel.Warning, Message = "Channel {ChannelId}: the SRT publisher's MPEG-TS could not be remuxed: {Error}")]
    public static partial void RemuxFailed(ILogger logger, string channelId, string error);

    [LoggerMessage(EventId = EventIds.SrtBadMedia, Level = LogLevel.Warning, Message = "Channel {ChannelId}: the SRT publisher sent {Bytes} bytes that are not MPEG-TS; ending the publish")]
    public static partial void BadMedia(ILogger logger, string channelId, int bytes);

    [LoggerMessage(EventId = EventIds.SrtSessionStats, Level = LogLevel.Information, Message = "Channel {ChannelId}: SRT link: {Received} packets received, {Lost} lost, {Retransmitted} retransmitted, {Dropped} dropped, RTT {RttMs:F0} ms")]
    public static partial void SessionStats(ILogger logger, string channelId, long received, long lost, long retransmitted, long dropped, double rttMs);
}
