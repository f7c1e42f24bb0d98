namespace Relay.Chat.Rooms;

/// <summary>What a <see cref="RoomEvent"/> changes. Names are stable: they travel between nodes.</summary>
public enum RoomEventKind
{
    Message,
    MessageDeleted,
    Pinned,
    Unpinned,
    FlashSaleStarted,
    FlashSaleEnded,
    Stock,
    Purchase,
    Viewers,
    Status,
    Mute,
    SlowMode,
}
