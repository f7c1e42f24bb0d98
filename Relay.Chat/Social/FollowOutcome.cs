namespace Relay.Chat.Social;

/// <summary>What a follow changed: <paramref name="Changed"/> = it was not following before; <paramref name="First"/> =
/// the viewer never followed this channel before (its CRM event, if any, was queued).</summary>
public sealed record FollowOutcome(bool Changed, bool First);
