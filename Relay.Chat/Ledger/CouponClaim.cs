namespace Relay.Chat.Ledger;

/// <summary>One viewer's claim of one coupon, as the room decided to ask for it.</summary>
public sealed record CouponClaim(string ChannelId, string CouponId, string BuyerId, DateTimeOffset Now);
