namespace Relay.Server.Channels;

/// <summary>What the ingest currently knows of a live channel's source.</summary>
public sealed record IngestView(
    DateTimeOffset Since,
    string? VideoCodec,
    string? AudioCodec,
    int? Width,
    int? Height,
    double? Fps,
    double? BitrateKbps,
    double? KeyframeIntervalSeconds);

/// <summary>A destination's live state as the egress sees it.</summary>
public sealed record DestinationRuntime(
    string State,
    int Reconnects = 0,
    string? LastError = null,
    double BitrateKbps = 0,
    long DroppedFrames = 0,
    IReadOnlyList<string>? Warnings = null);

/// <summary>
/// The server's view of the media plane, so the API can report live state without knowing
/// how ingest and egress are built. The media plane provides the real implementation.
/// </summary>
public interface IChannelRuntime
{
    IngestView? GetIngest(string channelId);

    DestinationRuntime GetDestination(string channelId, Destination destination);
}
