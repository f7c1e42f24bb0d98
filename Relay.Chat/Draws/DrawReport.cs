namespace Relay.Chat.Draws;

/// <summary>
/// `GET /api/v1/channels/{id}/draws/{drawId}` (public): everything needed to check a draw (docs/live-room.md,
/// scripts/verify-draw.py). <see cref="Seed"/>, <see cref="EntrantIds"/> and <see cref="Winners"/> are null until it ended.
/// </summary>
public sealed record DrawReport(
    string DrawId, string ChannelId, string Sku, int WinnerCount, string Requires, string Commitment, DateTimeOffset StartedAt,
    DateTimeOffset EndsAt, string Status, int Entrants, string? Seed, IReadOnlyList<string>? EntrantIds, IReadOnlyList<DrawReportWinner>? Winners,
    string Method);
