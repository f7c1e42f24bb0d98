namespace Relay.Chat.Channels;

/// <summary>What a <see cref="RoomActivityEvent"/> says happened.</summary>
public enum RoomActivityKind
{
    Message,
    Viewers,
    Pinned,
    Unpinned,
    FlashSaleStarted,
    FlashSaleEnded,
    Likes,
}
