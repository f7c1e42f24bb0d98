using Relay.Chat.Contracts;
using Relay.Chat.Ledger;

namespace Relay.Chat.Rooms;

/// <summary>
/// One change of a live room as it travels between nodes (<see cref="IRoomBus"/>): its kind, the members that kind uses,
/// and, once published, the room's <see cref="Seq"/>. Every node applies it to its <see cref="LiveRoom"/> the same way, so
/// rooms that saw the same events hold the same state; what viewers receive is built from it on each node.
/// </summary>
public sealed class RoomEvent
{
    public string ChannelId { get; set; } = "";

    public RoomEventKind Kind { get; set; }

    /// <summary>Assigned by the bus: strictly increasing per room across all nodes; 0 for a quiet event.</summary>
    public long Seq { get; set; }

    /// <summary>Set by a bus to know its own events when they come back (a publisher waits until its node applied it).</summary>
    public string? Id { get; set; }

    /// <summary>The node that published it (<see cref="IRoomBus.NodeId"/>).</summary>
    public string Origin { get; set; } = "";

    /// <summary>When the origin decided it (a flash sale's end is shown ending then, on every node).</summary>
    public DateTimeOffset At { get; set; }

    /// <summary><see cref="RoomEventKind.Message"/>.</summary>
    public ChatMessageView? Message { get; set; }

    /// <summary>The recent-message bound of the origin (<c>Chat:RecentMessages</c>), for the shared list.</summary>
    public int RecentLimit { get; set; }

    /// <summary><see cref="RoomEventKind.MessageDeleted"/>.</summary>
    public string? MessageId { get; set; }

    /// <summary><see cref="RoomEventKind.Pinned"/>: the product as the origin showed it.</summary>
    public ProductView? Product { get; set; }

    /// <summary><see cref="RoomEventKind.FlashSaleStarted"/>.</summary>
    public FlashSaleRecord? Sale { get; set; }

    /// <summary><see cref="RoomEventKind.FlashSaleEnded"/>: the sale that ends (a later one is left running).</summary>
    public string? SaleId { get; set; }

    /// <summary><see cref="RoomEventKind.Stock"/>.</summary>
    public StockCount? Stock { get; set; }

    /// <summary><see cref="RoomEventKind.Purchase"/>.</summary>
    public PurchaseToast? Toast { get; set; }

    /// <summary><see cref="RoomEventKind.Viewers"/>: this node's connections in the room, as published.</summary>
    public int LocalViewers { get; set; }

    /// <summary><see cref="RoomEventKind.Viewers"/>: the sum over the nodes, filled in by the bus.</summary>
    public int Viewers { get; set; }

    /// <summary><see cref="RoomEventKind.Viewers"/>: each node's count in that sum (null on the embedded default).</summary>
    public Dictionary<string, int>? ViewersByNode { get; set; }

    /// <summary><see cref="RoomEventKind.Status"/>.</summary>
    public bool Live { get; set; }

    /// <summary><see cref="RoomEventKind.NextShow"/>: null when cleared.</summary>
    public DateTimeOffset? NextShowAt { get; set; }

    /// <summary><see cref="RoomEventKind.Mute"/>: a display id (<see cref="Identity.DisplayIds"/>).</summary>
    public string? MuteKey { get; set; }

    /// <summary><see cref="RoomEventKind.Mute"/>: null lifts the mute.</summary>
    public DateTimeOffset? MutedUntil { get; set; }

    /// <summary><see cref="RoomEventKind.SlowMode"/>.</summary>
    public int SlowModeSeconds { get; set; }

    /// <summary><see cref="RoomEventKind.CouponDropped"/>.</summary>
    public CouponRecord? Coupon { get; set; }

    /// <summary><see cref="RoomEventKind.CouponCount"/>.</summary>
    public string? CouponId { get; set; }

    /// <summary><see cref="RoomEventKind.CouponCount"/>.</summary>
    public int CouponRemaining { get; set; }

    /// <summary><see cref="RoomEventKind.Likes"/>: the channel's total as announced.</summary>
    public long LikesTotal { get; set; }

    /// <summary><see cref="RoomEventKind.Likes"/>: the likes since the previous announcement (a show counts them once).</summary>
    public long LikesAdded { get; set; }

    /// <summary><see cref="RoomEventKind.DrawStarted"/>, <see cref="RoomEventKind.DrawEnded"/> (with its result).</summary>
    public DrawView? Draw { get; set; }

    /// <summary><see cref="RoomEventKind.DrawEntrants"/>.</summary>
    public string? DrawId { get; set; }

    /// <summary><see cref="RoomEventKind.DrawEntrants"/>: the count read with the last entry (the room keeps the highest).</summary>
    public int DrawEntrants { get; set; }

    /// <summary><see cref="RoomEventKind.Cue"/>: stamped on the node where the host acted (its seq is set when applied).</summary>
    public CueEvent? Cue { get; set; }

    /// <summary>A change of state viewers get no event for (mutes, slow mode): it takes no seq, so the seqs viewers see
    /// have no holes of their making.</summary>
    public bool Quiet => Kind is RoomEventKind.Mute or RoomEventKind.SlowMode or RoomEventKind.Resync;
}
