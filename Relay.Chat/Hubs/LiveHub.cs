using Microsoft.AspNetCore.SignalR;
using Relay.Chat.Contracts;
using Relay.Chat.Coupons;
using Relay.Chat.Diagnostics;
using Relay.Chat.Draws;
using Relay.Chat.Likes;
using Relay.Chat.Merchandising;
using Relay.Chat.Moderation;
using Relay.Chat.Purchases;
using Relay.Chat.Rooms;
using Relay.Chat.Social;

namespace Relay.Chat.Hubs;

/// <summary>`/hubs/live`. Methods only pick the connection's session and delegate; rate limiting, metrics and
/// error mapping live in <see cref="LiveHubFilter"/>.</summary>
internal sealed class LiveHub : Hub
{
    private readonly RoomService _rooms;
    private readonly ChatService _chat;
    private readonly ModerationService _moderation;
    private readonly MerchandisingService _merchandising;
    private readonly PurchaseService _purchases;
    private readonly CouponService _coupons;
    private readonly FollowService _follows;
    private readonly LikeService _likes;
    private readonly DrawService _draws;

    public LiveHub(RoomService rooms, ChatService chat, ModerationService moderation, MerchandisingService merchandising, PurchaseService purchases,
        CouponService coupons, FollowService follows, LikeService likes, DrawService draws) =>
        (_rooms, _chat, _moderation, _merchandising, _purchases, _coupons, _follows, _likes, _draws) =
        (rooms, chat, moderation, merchandising, purchases, coupons, follows, likes, draws);

    private ConnectionSession Session => (ConnectionSession)Context.Items[ConnectionSession.ItemKey]!;

    public async Task<JoinSnapshot> Join(string channelId, JoinOptions? options)
    {
        var snapshot = await _rooms.JoinAsync(Session, channelId, options, Context.ConnectionAborted);
        snapshot.You.Following = await _follows.FollowingAsync(Session, Context.ConnectionAborted);
        return snapshot;
    }

    public Task<FollowResult> Follow() => _follows.FollowAsync(Session, Context.ConnectionAborted);

    public Task<FollowResult> Unfollow() => _follows.UnfollowAsync(Session, Context.ConnectionAborted);

    public Task<RemindResult> RemindMe() => _follows.RemindMeAsync(Session, Context.ConnectionAborted);

    public async Task<ResumeResult> Resume(string channelId, long lastSeq)
    {
        var resumed = await _rooms.ResumeAsync(Session, channelId, lastSeq, Context.ConnectionAborted);
        resumed.You.Following = await _follows.FollowingAsync(Session, Context.ConnectionAborted);
        return resumed;
    }

    public Task SendMessage(string text) => _chat.SendAsync(Session, text);

    public Task<PurchaseResult> Purchase(PurchaseRequest request) =>
        _purchases.PurchaseAsync(Session, request, Context.ConnectionAborted);

    public Task Pin(string sku) => _merchandising.PinAsync(Session, sku);

    public Task Unpin() => _merchandising.UnpinAsync(Session);

    public Task StartFlashSale(FlashSaleRequest request) =>
        _merchandising.StartFlashSaleAsync(Session, request, Context.ConnectionAborted);

    public Task EndFlashSale() => _merchandising.EndFlashSaleAsync(Session, Context.ConnectionAborted);

    public Task<CouponView> DropCoupon(CouponRequest request) => _coupons.DropAsync(Session, request, Context.ConnectionAborted);

    public Task<CouponClaimResult> ClaimCoupon(string couponId) => _coupons.ClaimAsync(Session, couponId, Context.ConnectionAborted);

    public Task DeleteMessage(string messageId) => _moderation.DeleteAsync(Session, messageId);

    public Task Mute(string userId, int seconds) => _moderation.MuteAsync(Session, userId, seconds);

    public Task SetSlowMode(int seconds) => _moderation.SetSlowModeAsync(Session, seconds);

    public Task Like(int count) => _likes.LikeAsync(Session, count);

    public Task StartDraw(DrawRequest request) => _draws.StartAsync(Session, request, Context.ConnectionAborted);

    public Task<DrawEntryResult> EnterDraw() => _draws.EnterAsync(Session, Context.ConnectionAborted);

    public override Task OnDisconnectedAsync(Exception? exception)
    {
        if (Context.Items.TryGetValue(ConnectionSession.ItemKey, out var item) && item is ConnectionSession session)
            _rooms.Disconnected(session);
        return Task.CompletedTask;
    }
}
