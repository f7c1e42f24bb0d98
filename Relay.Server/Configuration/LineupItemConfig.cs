using Relay.Chat.Channels;

namespace Relay.Server.Configuration;

/// <summary>A line-up product as written in configuration; <see cref="RelayOptionsValidator"/> checks it as a <see cref="LineupItem"/>.</summary>
public sealed class LineupItemConfig
{
    public string? Sku { get; set; }
    public string? Title { get; set; }
    public long PriceCents { get; set; }
    public string? Currency { get; set; }
    public string? ImageUrl { get; set; }
    public int? Stock { get; set; }
    public long? MemberPriceCents { get; set; }

    public LineupItem ToLineupItem() => new(Sku!, Title!, PriceCents, Currency!, ImageUrl, Stock, MemberPriceCents);
}
