namespace Relay.Chat.Orders;

/// <summary><paramref name="Status"/> is the order's status before the call (null for an unknown order).</summary>
public sealed record RedeliveryResult(RedeliveryOutcome Outcome, string? Status);
