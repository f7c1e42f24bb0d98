namespace Relay.Chat.Channels;

/// <summary>A product of a channel's line-up as the server stores it. <see cref="Stock"/> null = unlimited.</summary>
/// <param name="MemberPriceCents">The price for members of the brand (a viewer whose token carries a tier), at most the
/// regular price; null = members pay the regular price.</param>
public sealed record LineupItem(string Sku, string Title, long PriceCents, string Currency, string? ImageUrl, int? Stock, long? MemberPriceCents = null);
