namespace Relay.Chat.Ledger;

/// <summary>What an entry did, and the draw's entrant count in the same transaction.</summary>
public readonly record struct DrawEntry(DrawEntryOutcome Outcome, int Entrants);
