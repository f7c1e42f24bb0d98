namespace Relay.Chat.Ledger;

/// <summary>What buyers can still get of each limited sku after a line-up was applied (unlimited skus are absent), read in
/// the applying transaction; <see cref="Sequence"/> orders it against reservations and give-backs.</summary>
public sealed record LineupStock(IReadOnlyDictionary<string, int> Remaining, long Sequence);
