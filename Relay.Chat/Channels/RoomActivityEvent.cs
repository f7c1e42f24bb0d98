namespace Relay.Chat.Channels;

/// <summary>One thing that happened in a live room, as <see cref="IRoomActivity"/> hears it.</summary>
/// <param name="Viewers">The room's viewers summed over the nodes (a <see cref="RoomActivityKind.Viewers"/> event).</param>
/// <param name="Sku">The product pinned or on sale; null otherwise (and on a sale's end, which carries only its id).</param>
/// <param name="SaleId">The flash sale started or ended.</param>
/// <param name="Title">The pinned product's title.</param>
/// <param name="PriceCents">The pinned product's price, or the sale's price.</param>
/// <param name="Likes">A <see cref="RoomActivityKind.Likes"/> announcement: the likes it adds (each like is announced once).</param>
public sealed record RoomActivityEvent(
    string ChannelId,
    RoomActivityKind Kind,
    DateTimeOffset At,
    int Viewers = 0,
    string? Sku = null,
    string? SaleId = null,
    string? Title = null,
    long? PriceCents = null,
    int? Quantity = null,
    long Likes = 0);
