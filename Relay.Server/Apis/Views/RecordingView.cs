namespace Relay.Server.Apis.Views;

/// <summary>A recorded session in <c>GET /api/v1/channels/{id}/recordings</c>, with where to download it.</summary>
public sealed record RecordingView(
    string Id,
    DateTimeOffset StartedAt,
    DateTimeOffset? EndedAt,
    double? DurationSeconds,
    long Bytes,
    bool InProgress,
    string Url,
    string TimelineUrl);
