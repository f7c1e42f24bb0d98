namespace Relay.Server.Shows;

/// <summary>A viewer who joined a channel's room at a time.</summary>
public sealed record ShowAudienceEntry(string ChannelId, string ViewerId, DateTimeOffset At);
