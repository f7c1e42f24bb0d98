using MessagePack;

namespace Relay.Chat.Contracts;

// A wire shape of the hub: see JoinSnapshot.cs for why keys are spelled out.

[MessagePackObject]
public sealed class ProductView
{
    [Key("sku")] public string Sku { get; set; } = "";
    [Key("title")] public string Title { get; set; } = "";
    [Key("priceCents")] public long PriceCents { get; set; }
    [Key("currency")] public string Currency { get; set; } = "";
    [Key("imageUrl")] public string? ImageUrl { get; set; }
    /// <summary>Units left; null = unlimited.</summary>
    [Key("stock")] public int? Stock { get; set; }
}
