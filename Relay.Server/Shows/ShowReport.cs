namespace Relay.Server.Shows;

/// <summary>
/// <c>GET /api/v1/channels/{id}/shows/{showId}/report</c>: what happened during one show. Orders count only when the
/// order API confirmed them (pending, failed and dead-lettered ones are left out); <see cref="GmvCents"/> sums those in
/// <see cref="Currency"/>; <see cref="Conversion"/> = buyers / unique viewers.
/// </summary>
public sealed record ShowReport(
    string ShowId,
    string ChannelId,
    DateTimeOffset StartedAt,
    DateTimeOffset? EndedAt,
    bool Live,
    double DurationSeconds,
    int PeakViewers,
    double AverageViewers,
    int UniqueViewers,
    int Messages,
    int Likes,
    int Follows,
    int Orders,
    int Units,
    long GmvCents,
    string? Currency,
    int Buyers,
    double Conversion,
    List<ShowSkuLine> BySku,
    List<ShowReferrerLine> ByReferrer,
    List<ShowDestinationLine> Destinations,
    List<ShowPoint> Timeline,
    List<ShowMarker> Markers);
