namespace Relay.Chat.Rooms;

/// <summary>The latest ledger count a room knows of one sku, as it travels between nodes: the remaining units of the
/// flash sale <paramref name="SaleId"/> and of the line-up (null = not counted), ordered by the ledger's
/// <paramref name="Sequence"/> (newest wins on every node).</summary>
public sealed record StockCount(string Sku, int? FlashRemaining, int? LineupRemaining, string? SaleId, long Sequence);
