namespace Relay.Chat.Ledger;

/// <summary>What a purchase takes from stock and writes to the outbox, decided by the room beforehand.
/// <paramref name="MaxBuyerUnitsPerSku"/> and <paramref name="MaxBuyerUnitsPerSale"/> cap what this buyer may hold
/// (orders not failed, counted in the ledger) of the sku since its last stock reset and of the flash sale.
/// <paramref name="CouponId"/>: a coupon this buyer claimed, used by this purchase in the same transaction.</summary>
public sealed record ReservationRequest(
    string ChannelId, string BuyerId, string BuyerName, string IdempotencyKey,
    string Sku, int Quantity, long UnitPriceCents, string Currency, string? Referrer,
    string? FlashSaleId, bool LineupLimited, DateTimeOffset Now,
    int MaxBuyerUnitsPerSku = int.MaxValue, int MaxBuyerUnitsPerSale = int.MaxValue, string? CouponId = null)
{
    /// <summary>The unit price is the line-up item's member price (the buyer is a member).</summary>
    public bool MemberPrice { get; init; }
}
