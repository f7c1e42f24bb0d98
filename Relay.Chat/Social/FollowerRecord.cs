namespace Relay.Chat.Social;

/// <summary>A viewer following a channel: <paramref name="FollowedAt"/> is the current follow, <paramref name="FirstFollowedAt"/> the first ever.</summary>
public sealed record FollowerRecord(string BuyerId, string BuyerName, DateTimeOffset FollowedAt, string? Referrer, DateTimeOffset FirstFollowedAt);
