namespace Relay.Server.Shows;

/// <summary>Something the host did on air, at its time: <c>pinned</c>, <c>unpinned</c>, <c>flashSale</c>, <c>flashSaleEnded</c>.</summary>
public sealed record ShowMarker(DateTimeOffset At, string Kind, string? Sku, string? Title, long? PriceCents, int? Quantity);
