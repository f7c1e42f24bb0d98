using MessagePack;

namespace Relay.Chat.Contracts;

// A wire shape of the hub: see JoinSnapshot.cs for why keys are spelled out.

/// <summary>
/// One room event as <c>Resume</c> replays it: its wire name (the event a live connection received), its seq, and its
/// payload in the member of that name (exactly one is set). A page hands the payload to the handler it has for the live
/// event, so a replayed event and a live one are read by the same code.
/// </summary>
[MessagePackObject]
public sealed class RoomEventView
{
    [Key("name")] public string Name { get; set; } = "";
    [Key("seq")] public long Seq { get; set; }
    [Key("message")] public ChatMessageView? Message { get; set; }
    [Key("messageDeleted")] public MessageDeletedEvent? MessageDeleted { get; set; }
    [Key("pinned")] public PinnedEvent? Pinned { get; set; }
    [Key("unpinned")] public UnpinnedEvent? Unpinned { get; set; }
    [Key("flashSale")] public FlashSaleView? FlashSale { get; set; }
    [Key("stock")] public StockEvent? Stock { get; set; }
    [Key("purchase")] public PurchaseToast? Purchase { get; set; }
    [Key("viewers")] public ViewersEvent? Viewers { get; set; }
    [Key("status")] public StatusEvent? Status { get; set; }
    [Key("nextShow")] public NextShowEvent? NextShow { get; set; }
    [Key("coupon")] public CouponView? Coupon { get; set; }
    [Key("likes")] public LikesEvent? Likes { get; set; }
    [Key("draw")] public DrawView? Draw { get; set; }
    [Key("drawResult")] public DrawResultView? DrawResult { get; set; }
    [Key("cue")] public CueEvent? Cue { get; set; }
}
