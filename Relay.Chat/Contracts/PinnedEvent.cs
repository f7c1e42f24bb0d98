using MessagePack;

namespace Relay.Chat.Contracts;

// A wire shape of the hub: see JoinSnapshot.cs for why keys are spelled out.

/// <summary>The `pinned` event: the product as <see cref="ProductView"/> shows it (same keys, same order), then the room's
/// <c>seq</c>. A type of its own so the line-up items of the snapshot do not carry a seq.</summary>
[MessagePackObject]
public sealed class PinnedEvent
{
    [Key("sku")] public string Sku { get; set; } = "";
    [Key("title")] public string Title { get; set; } = "";
    [Key("priceCents")] public long PriceCents { get; set; }
    [Key("currency")] public string Currency { get; set; } = "";
    [Key("imageUrl")] public string? ImageUrl { get; set; }
    /// <summary>Units left; null = unlimited.</summary>
    [Key("stock")] public int? Stock { get; set; }
    /// <summary>The room's event sequence number (contract v2): increases strictly per room across all nodes.</summary>
    [Key("seq")] public long Seq { get; set; }

    public static PinnedEvent Of(ProductView view, long seq) => new()
    {
        Sku = view.Sku, Title = view.Title, PriceCents = view.PriceCents, Currency = view.Currency, ImageUrl = view.ImageUrl,
        Stock = view.Stock, Seq = seq,
    };
}
