using Relay.Chat.Contracts;
using Relay.Chat.Ledger;

namespace Relay.Chat.Rooms;

/// <summary>A room's shared state as another node left it (<see cref="IRoomBus.LoadAsync"/>): what a room opening on this
/// node takes over, as of <see cref="Seq"/>.</summary>
public sealed class RoomState
{
    /// <summary>The seq of the last event this state includes (0: none yet).</summary>
    public long Seq { get; set; }

    public string? PinnedSku { get; set; }

    /// <summary>The running flash sale as started (its remaining count is the ledger's to tell).</summary>
    public FlashSaleRecord? FlashSale { get; set; }

    /// <summary>Oldest first, each with its seq.</summary>
    public List<ChatMessageView> RecentMessages { get; set; } = [];

    /// <summary>Display id -> muted until; expired ones may be included (the room drops them).</summary>
    public Dictionary<string, DateTimeOffset> Mutes { get; set; } = [];

    public int SlowModeSeconds { get; set; }

    /// <summary>The coupons dropped in the room, each with the lowest count published (expired ones may be included: the
    /// room drops them).</summary>
    public List<CouponRecord> Coupons { get; set; } = [];

    /// <summary>The room's latest draw (v2), with the highest entrant count announced.</summary>
    public DrawView? Draw { get; set; }

    /// <summary>The other nodes' viewers of the room.</summary>
    public int OtherViewers { get; set; }
}
