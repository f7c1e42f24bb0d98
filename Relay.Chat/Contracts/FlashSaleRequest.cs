using MessagePack;

namespace Relay.Chat.Contracts;

// A wire shape of the hub: see JoinSnapshot.cs for why keys are spelled out.

[MessagePackObject]
public sealed class FlashSaleRequest
{
    [Key("sku")] public string? Sku { get; set; }
    [Key("priceCents")] public long PriceCents { get; set; }
    [Key("quantity")] public int Quantity { get; set; }
    [Key("durationSeconds")] public int DurationSeconds { get; set; }
    /// <summary>v2: 10-300 announces the sale now and opens it that many seconds later (pre-launch); null opens it now.</summary>
    [Key("startsInSeconds")] public int? StartsInSeconds { get; set; }
}
