using MessagePack;

namespace Relay.Chat.Contracts;

// Wire shapes of the hub. Keys are spelled out so MessagePack carries the same camelCase names
// as the JSON protocol (whose naming policy is camelCase); clients of either protocol read one shape.
// Mutable classes with a parameterless constructor: the hub's MessagePack formatters (Formatters/HubContractFormatters)
// create one and set the members the message carries.

[MessagePackObject]
public sealed class JoinSnapshot
{
    [Key("channelId")] public string ChannelId { get; set; } = "";
    [Key("title")] public string Title { get; set; } = "";
    [Key("live")] public bool Live { get; set; }
    [Key("viewers")] public int Viewers { get; set; }
    [Key("pinned")] public ProductView? Pinned { get; set; }
    [Key("lineup")] public List<ProductView> Lineup { get; set; } = [];
    [Key("flashSale")] public FlashSaleView? FlashSale { get; set; }
    [Key("recentMessages")] public List<ChatMessageView> RecentMessages { get; set; } = [];
    [Key("slowModeSeconds")] public int SlowModeSeconds { get; set; }
    /// <summary>Who the server takes the caller for: lets a guest learn its id and a host unlock its controls.</summary>
    [Key("you")] public ParticipantView You { get; set; } = new();
    /// <summary>The seq of the last room event this snapshot includes: events with a seq at most this one are already in it.</summary>
    [Key("seq")] public long Seq { get; set; }
    /// <summary>When the next show starts (UTC), for the offline page's countdown; null when none is announced. Last, so
    /// every earlier byte of the snapshot stays as it was (LiveHubWireBytesTests).</summary>
    [Key("nextShowAt")] public DateTime? NextShowAt { get; set; }
    /// <summary>The coupons open for claims now (v2), after <see cref="NextShowAt"/> for the same reason.</summary>
    [Key("coupons")] public List<CouponView> Coupons { get; set; } = [];
    /// <summary>v2: the channel's like total as the room knows it (the `likes` events update it).</summary>
    [Key("likes")] public long Likes { get; set; }
    /// <summary>v2: the room's latest draw (running, or ended with its result); null when it never had one.</summary>
    [Key("draw")] public DrawView? Draw { get; set; }
}
