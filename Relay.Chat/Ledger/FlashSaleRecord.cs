namespace Relay.Chat.Ledger;

public sealed record FlashSaleRecord(
    string SaleId, string ChannelId, string Sku, long PriceCents, string Currency,
    int Quantity, int Remaining, DateTimeOffset EndsAt);
