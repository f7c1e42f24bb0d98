namespace Relay.Chat.Social;

/// <summary>The followers answer: <c>{total, items, nextCursor}</c> (the paged lists' shape plus the current count).</summary>
public sealed record FollowersPage(int Total, IReadOnlyList<FollowerView> Items, string? NextCursor);
