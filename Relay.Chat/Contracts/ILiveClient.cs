namespace Relay.Chat.Contracts;

/// <summary>
/// Events the hub sends. The method names are lower camelCase on purpose: SignalR puts the typed client's
/// method name on the wire as the event target, and CONTRACT.md names the events `message`, `messageDeleted`...
/// (the JS client matches case-insensitively, the .NET client does not).
/// </summary>
#pragma warning disable IDE1006 // wire names, see above
public interface ILiveClient
{
    Task message(ChatMessageView payload);
    Task messageDeleted(MessageDeletedEvent payload);
    Task pinned(PinnedEvent payload);
    Task unpinned(UnpinnedEvent payload);
    Task flashSale(FlashSaleView payload);
    Task stock(StockEvent payload);
    Task purchase(PurchaseToast payload);
    Task order(OrderEvent payload);
    Task viewers(ViewersEvent payload);
    Task status(StatusEvent payload);
    Task nextShow(NextShowEvent payload);
    Task lineup(LineupEvent payload);
    Task coupon(CouponView payload);
    Task likes(LikesEvent payload);
    Task draw(DrawView payload);
    Task drawResult(DrawResultView payload);
    Task cue(CueEvent payload);
}
#pragma warning restore IDE1006
