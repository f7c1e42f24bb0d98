namespace Relay.Ingest.Consumers.Recording;

/// <summary>One recording of a channel, as listed by <see cref="RecordingService.List"/>.</summary>
/// <param name="Id">The recording id, <c>yyyyMMdd-HHmmss</c> of its start (UTC), with <c>-n</c> when a second started in the same second.</param>
/// <param name="EndedAt">Null while the session is being recorded.</param>
/// <param name="DurationSeconds">Media duration (last frame timestamp); so far while recording.</param>
/// <param name="Bytes">Size of the FLV file.</param>
/// <param name="FileName">FLV file name inside the channel's recordings folder.</param>
/// <param name="TimelineFileName">Sidecar timeline file name.</param>
public sealed record RecordingInfo(
    string Id,
    string ChannelId,
    DateTimeOffset StartedAt,
    DateTimeOffset? EndedAt,
    double? DurationSeconds,
    long Bytes,
    string FileName,
    string TimelineFileName,
    bool InProgress);
