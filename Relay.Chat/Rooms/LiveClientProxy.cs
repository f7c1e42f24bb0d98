using Microsoft.AspNetCore.SignalR;
using Relay.Chat.Contracts;

namespace Relay.Chat.Rooms;

/// <summary>The hub's events sent by name over an untyped <see cref="IClientProxy"/>. SignalR's own typed clients
/// (<c>Hub&lt;T&gt;</c>, <c>IHubContext&lt;THub, T&gt;</c>) build their proxy with Reflection.Emit, which a NativeAOT
/// build cannot run; writing the ten events out also puts the wire names (CONTRACT.md) in one place.</summary>
internal sealed class LiveClientProxy(IClientProxy proxy) : ILiveClient
{
    public Task message(ChatMessageView payload) => proxy.SendAsync("message", payload);

    public Task messageDeleted(MessageDeletedEvent payload) => proxy.SendAsync("messageDeleted", payload);

    public Task pinned(PinnedEvent payload) => proxy.SendAsync("pinned", payload);

    public Task unpinned(UnpinnedEvent payload) => proxy.SendAsync("unpinned", payload);

    public Task flashSale(FlashSaleView payload) => proxy.SendAsync("flashSale", payload);

    public Task stock(StockEvent payload) => proxy.SendAsync("stock", payload);

    public Task purchase(PurchaseToast payload) => proxy.SendAsync("purchase", payload);

    public Task order(OrderEvent payload) => proxy.SendAsync("order", payload);

    public Task viewers(ViewersEvent payload) => proxy.SendAsync("viewers", payload);

    public Task status(StatusEvent payload) => proxy.SendAsync("status", payload);

    public Task nextShow(NextShowEvent payload) => proxy.SendAsync("nextShow", payload);

    public Task lineup(LineupEvent payload) => proxy.SendAsync("lineup", payload);
    public Task coupon(CouponView payload) => proxy.SendAsync("coupon", payload);

    public Task likes(LikesEvent payload) => proxy.SendAsync("likes", payload);

    public Task draw(DrawView payload) => proxy.SendAsync("draw", payload);

    public Task drawResult(DrawResultView payload) => proxy.SendAsync("drawResult", payload);

    public Task cue(CueEvent payload) => proxy.SendAsync("cue", payload);
}
