namespace Relay.Server.Apis.Views;

/// <summary>A channel in <c>GET /api/v1/channels</c>: its stream key redacted.</summary>
public sealed record ChannelSummary(string Id, string Title, bool Live, int Destinations, string? StreamKey, bool Rehearsal, DateTimeOffset? NextShowAt);
