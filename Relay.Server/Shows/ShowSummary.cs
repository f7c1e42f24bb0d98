namespace Relay.Server.Shows;

/// <summary>A show in <c>GET /api/v1/channels/{id}/shows</c>.</summary>
/// <param name="EndedAt">null while the show goes on.</param>
/// <param name="DurationSeconds">From start to end (or to now while live), gaps joined into it included.</param>
public sealed record ShowSummary(string ShowId, DateTimeOffset StartedAt, DateTimeOffset? EndedAt, bool Live, double DurationSeconds, string ReportUrl, string PageUrl);
