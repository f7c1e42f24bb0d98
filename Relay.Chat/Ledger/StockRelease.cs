namespace Relay.Chat.Ledger;

/// <summary>Stock given back after an order failed for good.</summary>
public sealed record StockRelease(string ChannelId, string Sku, int? FlashRemaining, int? LineupRemaining, long Sequence);
