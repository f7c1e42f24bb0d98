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

    /// <summary>Never published: a bus hands it to its own node when it may have missed events of the room (a jump in seq,
    /// a reconnect), and the node reads the room's shared state again (<see cref="IRoomBus.LoadAsync"/>).</summary>
    Resync,

    /// <summary>The next show's time changed (the catalog holds it; the room only passes it on).</summary>
    NextShow,

    /// <summary>A host dropped a coupon (<see cref="RoomEvent.Coupon"/>).</summary>
    CouponDropped,

    /// <summary>A coupon's claims left as the ledger counted them (<see cref="RoomEvent.CouponId"/>,
    /// <see cref="RoomEvent.CouponRemaining"/>): paced, the lowest count wins (it only goes down).</summary>
    CouponCount,

    /// <summary>The channel's like total (v2), announced by one node per pacing interval.</summary>
    Likes,

    /// <summary>A draw started (v2): <see cref="RoomEvent.Draw"/>.</summary>
    DrawStarted,

    /// <summary>A draw's entrant count (paced): <see cref="RoomEvent.DrawId"/>, <see cref="RoomEvent.DrawEntrants"/>.</summary>
    DrawEntrants,

    /// <summary>A draw ended: <see cref="RoomEvent.Draw"/> with its result.</summary>
    DrawEnded,

    /// <summary>A host action's moment of the stream (v2): <see cref="RoomEvent.Cue"/>, published after the action's own event.</summary>
    Cue,
}
