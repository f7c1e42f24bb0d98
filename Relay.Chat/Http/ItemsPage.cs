namespace Relay.Chat.Http;

/// <summary>One page of a list read with <c>?limit=</c> (contract v2): <c>{items, nextCursor}</c>, the cursor null on the last page.</summary>
public sealed record ItemsPage<T>(IReadOnlyList<T> Items, string? NextCursor);
