namespace Relay.Chat.Ledger;

public sealed record FlashSaleRecord(
    string SaleId, string ChannelId, string Sku, long PriceCents, string Currency,
    int Quantity, int Remaining, DateTimeOffset EndsAt, DateTimeOffset? StartsAt = null)
{
    /// <summary>Announced but not open yet (pre-launch): purchases are refused until <see cref="StartsAt"/>.</summary>
    public bool NotStartedAt(DateTimeOffset now) => StartsAt is { } start && start > now;
}
