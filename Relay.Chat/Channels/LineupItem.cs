namespace Relay.Chat.Channels;

/// <summary>A product of a channel's line-up as the server stores it. <see cref="Stock"/> null = unlimited.</summary>
public sealed record LineupItem(string Sku, string Title, long PriceCents, string Currency, string? ImageUrl, int? Stock);
