using MessagePack;

namespace Relay.Chat.Contracts;

// A wire shape of the hub: see JoinSnapshot.cs for why keys are spelled out.

[MessagePackObject]
public sealed class FlashSaleView
{
    [Key("sku")] public string Sku { get; set; } = "";
    [Key("priceCents")] public long PriceCents { get; set; }
    [Key("currency")] public string Currency { get; set; } = "";
    [Key("quantity")] public int Quantity { get; set; }
    [Key("remaining")] public int Remaining { get; set; }
    /// <summary>UTC.</summary>
    [Key("endsAt")] public DateTime EndsAt { get; set; }
    /// <summary>false in the event sent when the sale ends (by the host, by time, or sold out and ended).</summary>
    [Key("active")] public bool Active { get; set; }
    /// <summary>The room's event sequence number (contract v2): increases strictly per room across all nodes.</summary>
    [Key("seq")] public long Seq { get; set; }
    /// <summary>v2: when an announced sale opens (UTC); purchases before it are refused <c>not_on_sale</c>. Null when it
    /// opened at once. Last, so every earlier byte stays as it was.</summary>
    [Key("startsAt")] public DateTime? StartsAt { get; set; }
}
