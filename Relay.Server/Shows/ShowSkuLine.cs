namespace Relay.Server.Shows;

/// <summary>One product's confirmed sales in a show; <see cref="Title"/> from the channel's line-up (null when it left it).</summary>
public sealed record ShowSkuLine(string Sku, string? Title, int Orders, int Units, long GmvCents, string Currency);
