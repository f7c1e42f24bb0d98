namespace Relay.Chat.Ledger;

/// <summary>One entry of a draw: the room's display id (public) and name.</summary>
public sealed record DrawEntrant(string DisplayId, string DisplayName);
