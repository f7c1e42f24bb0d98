using MessagePack;
using MessagePack.Formatters;
using MessagePack.Resolvers;

namespace Relay.Chat.Contracts.Formatters;

/// <summary>
/// The MessagePack side of `/hubs/live`, written out so that it runs under NativeAOT. SignalR's default options resolve
/// the contract types with MessagePack-CSharp's dynamic resolvers, which emit IL at run time; NativeAOT cannot, so the
/// published server would fail on the first MessagePack message. MessagePack-CSharp 3.x generates formatters at compile
/// time, but its non-generic <c>Serialize(Type, ref MessagePackWriter, ...)</c>, the very call SignalR's protocol makes for
/// every argument and result, throws <see cref="NotSupportedException"/> whenever dynamic code is unsupported, whatever
/// the resolver. So the hub stays on 2.x, whose non-generic calls work under NativeAOT (for value types only with the
/// instantiations Relay.Server roots in LiveHub.rd.xml), with these formatters and a resolver chain that ends at
/// MessagePack's built-in primitives: a type without a formatter fails loudly, it is never generated at run time.
/// The keys repeat the contract types' <c>[Key]</c> attributes in declaration order, which is the order the dynamic resolver
/// wrote; tests hold both to the attributes and to the bytes captured from the dynamic resolver.
/// </summary>
internal static class HubContractFormatters
{
    public static IReadOnlyList<IMessagePackFormatter> All { get; } =
    [
        new ContractFormatter<ChatMessageView>(
            ContractMember<ChatMessageView>.Of("id", x => x.Id, (x, v) => x.Id = v),
            ContractMember<ChatMessageView>.Of("userId", x => x.UserId, (x, v) => x.UserId = v),
            ContractMember<ChatMessageView>.Of("displayName", x => x.DisplayName, (x, v) => x.DisplayName = v),
            ContractMember<ChatMessageView>.Of("text", x => x.Text, (x, v) => x.Text = v),
            ContractMember<ChatMessageView>.Of("at", x => x.At, (x, v) => x.At = v),
            ContractMember<ChatMessageView>.Of("role", x => x.Role, (x, v) => x.Role = v),
            ContractMember<ChatMessageView>.Of("seq", x => x.Seq, (x, v) => x.Seq = v)),
        new ContractFormatter<CouponRequest>(
            ContractMember<CouponRequest>.Of("discountCents", x => x.DiscountCents, (x, v) => x.DiscountCents = v),
            ContractMember<CouponRequest>.Of("percentOff", x => x.PercentOff, (x, v) => x.PercentOff = v),
            ContractMember<CouponRequest>.Of("minSpendCents", x => x.MinSpendCents, (x, v) => x.MinSpendCents = v),
            ContractMember<CouponRequest>.Of("sku", x => x.Sku, (x, v) => x.Sku = v),
            ContractMember<CouponRequest>.Of("quantity", x => x.Quantity, (x, v) => x.Quantity = v),
            ContractMember<CouponRequest>.Of("perBuyer", x => x.PerBuyer, (x, v) => x.PerBuyer = v),
            ContractMember<CouponRequest>.Of("durationSeconds", x => x.DurationSeconds, (x, v) => x.DurationSeconds = v)),
        new ContractFormatter<CouponView>(
            ContractMember<CouponView>.Of("couponId", x => x.CouponId, (x, v) => x.CouponId = v),
            ContractMember<CouponView>.Of("discountCents", x => x.DiscountCents, (x, v) => x.DiscountCents = v),
            ContractMember<CouponView>.Of("percentOff", x => x.PercentOff, (x, v) => x.PercentOff = v),
            ContractMember<CouponView>.Of("minSpendCents", x => x.MinSpendCents, (x, v) => x.MinSpendCents = v),
            ContractMember<CouponView>.Of("sku", x => x.Sku, (x, v) => x.Sku = v),
            ContractMember<CouponView>.Of("remaining", x => x.Remaining, (x, v) => x.Remaining = v),
            ContractMember<CouponView>.Of("endsAt", x => x.EndsAt, (x, v) => x.EndsAt = v),
            ContractMember<CouponView>.Of("quantity", x => x.Quantity, (x, v) => x.Quantity = v),
            ContractMember<CouponView>.Of("perBuyer", x => x.PerBuyer, (x, v) => x.PerBuyer = v),
            ContractMember<CouponView>.Of("currency", x => x.Currency, (x, v) => x.Currency = v),
            ContractMember<CouponView>.Of("seq", x => x.Seq, (x, v) => x.Seq = v)),
        new ContractFormatter<CouponClaimResult>(
            ContractMember<CouponClaimResult>.Of("status", x => x.Status, (x, v) => x.Status = v),
            ContractMember<CouponClaimResult>.Of("reason", x => x.Reason, (x, v) => x.Reason = v)),
        new ContractFormatter<FlashSaleRequest>(
            ContractMember<FlashSaleRequest>.Of("sku", x => x.Sku, (x, v) => x.Sku = v),
            ContractMember<FlashSaleRequest>.Of("priceCents", x => x.PriceCents, (x, v) => x.PriceCents = v),
            ContractMember<FlashSaleRequest>.Of("quantity", x => x.Quantity, (x, v) => x.Quantity = v),
            ContractMember<FlashSaleRequest>.Of("durationSeconds", x => x.DurationSeconds, (x, v) => x.DurationSeconds = v),
            ContractMember<FlashSaleRequest>.Of("startsInSeconds", x => x.StartsInSeconds, (x, v) => x.StartsInSeconds = v)),
        new ContractFormatter<FlashSaleView>(
            ContractMember<FlashSaleView>.Of("sku", x => x.Sku, (x, v) => x.Sku = v),
            ContractMember<FlashSaleView>.Of("priceCents", x => x.PriceCents, (x, v) => x.PriceCents = v),
            ContractMember<FlashSaleView>.Of("currency", x => x.Currency, (x, v) => x.Currency = v),
            ContractMember<FlashSaleView>.Of("quantity", x => x.Quantity, (x, v) => x.Quantity = v),
            ContractMember<FlashSaleView>.Of("remaining", x => x.Remaining, (x, v) => x.Remaining = v),
            ContractMember<FlashSaleView>.Of("endsAt", x => x.EndsAt, (x, v) => x.EndsAt = v),
            ContractMember<FlashSaleView>.Of("active", x => x.Active, (x, v) => x.Active = v),
            ContractMember<FlashSaleView>.Of("seq", x => x.Seq, (x, v) => x.Seq = v),
            ContractMember<FlashSaleView>.Of("startsAt", x => x.StartsAt, (x, v) => x.StartsAt = v)),
        new ContractFormatter<JoinOptions>(
            ContractMember<JoinOptions>.Of("displayName", x => x.DisplayName, (x, v) => x.DisplayName = v),
            ContractMember<JoinOptions>.Of("referrer", x => x.Referrer, (x, v) => x.Referrer = v)),
        new ContractFormatter<JoinSnapshot>(
            ContractMember<JoinSnapshot>.Of("channelId", x => x.ChannelId, (x, v) => x.ChannelId = v),
            ContractMember<JoinSnapshot>.Of("title", x => x.Title, (x, v) => x.Title = v),
            ContractMember<JoinSnapshot>.Of("live", x => x.Live, (x, v) => x.Live = v),
            ContractMember<JoinSnapshot>.Of("viewers", x => x.Viewers, (x, v) => x.Viewers = v),
            ContractMember<JoinSnapshot>.Of("pinned", x => x.Pinned, (x, v) => x.Pinned = v),
            ContractMember<JoinSnapshot>.Of("lineup", x => x.Lineup, (x, v) => x.Lineup = v),
            ContractMember<JoinSnapshot>.Of("flashSale", x => x.FlashSale, (x, v) => x.FlashSale = v),
            ContractMember<JoinSnapshot>.Of("recentMessages", x => x.RecentMessages, (x, v) => x.RecentMessages = v),
            ContractMember<JoinSnapshot>.Of("slowModeSeconds", x => x.SlowModeSeconds, (x, v) => x.SlowModeSeconds = v),
            ContractMember<JoinSnapshot>.Of("you", x => x.You, (x, v) => x.You = v),
            ContractMember<JoinSnapshot>.Of("seq", x => x.Seq, (x, v) => x.Seq = v),
            ContractMember<JoinSnapshot>.Of("nextShowAt", x => x.NextShowAt, (x, v) => x.NextShowAt = v),
            ContractMember<JoinSnapshot>.Of("coupons", x => x.Coupons, (x, v) => x.Coupons = v),
            ContractMember<JoinSnapshot>.Of("likes", x => x.Likes, (x, v) => x.Likes = v),
            ContractMember<JoinSnapshot>.Of("draw", x => x.Draw, (x, v) => x.Draw = v)),
        new ContractFormatter<MessageDeletedEvent>(
            ContractMember<MessageDeletedEvent>.Of("id", x => x.Id, (x, v) => x.Id = v),
            ContractMember<MessageDeletedEvent>.Of("seq", x => x.Seq, (x, v) => x.Seq = v)),
        new ContractFormatter<OrderEvent>(
            ContractMember<OrderEvent>.Of("orderId", x => x.OrderId, (x, v) => x.OrderId = v),
            ContractMember<OrderEvent>.Of("status", x => x.Status, (x, v) => x.Status = v),
            ContractMember<OrderEvent>.Of("checkoutUrl", x => x.CheckoutUrl, (x, v) => x.CheckoutUrl = v)),
        new ContractFormatter<ParticipantView>(
            ContractMember<ParticipantView>.Of("userId", x => x.UserId, (x, v) => x.UserId = v),
            ContractMember<ParticipantView>.Of("displayName", x => x.DisplayName, (x, v) => x.DisplayName = v),
            ContractMember<ParticipantView>.Of("role", x => x.Role, (x, v) => x.Role = v),
            ContractMember<ParticipantView>.Of("following", x => x.Following, (x, v) => x.Following = v),
            ContractMember<ParticipantView>.Of("shareCode", x => x.ShareCode, (x, v) => x.ShareCode = v)),
        new ContractFormatter<FollowResult>(
            ContractMember<FollowResult>.Of("following", x => x.Following, (x, v) => x.Following = v)),
        new ContractFormatter<RemindResult>(
            ContractMember<RemindResult>.Of("reminded", x => x.Reminded, (x, v) => x.Reminded = v)),
        new ContractFormatter<PinnedEvent>(
            ContractMember<PinnedEvent>.Of("sku", x => x.Sku, (x, v) => x.Sku = v),
            ContractMember<PinnedEvent>.Of("title", x => x.Title, (x, v) => x.Title = v),
            ContractMember<PinnedEvent>.Of("priceCents", x => x.PriceCents, (x, v) => x.PriceCents = v),
            ContractMember<PinnedEvent>.Of("currency", x => x.Currency, (x, v) => x.Currency = v),
            ContractMember<PinnedEvent>.Of("imageUrl", x => x.ImageUrl, (x, v) => x.ImageUrl = v),
            ContractMember<PinnedEvent>.Of("stock", x => x.Stock, (x, v) => x.Stock = v),
            ContractMember<PinnedEvent>.Of("seq", x => x.Seq, (x, v) => x.Seq = v)),
        new ContractFormatter<ProductView>(
            ContractMember<ProductView>.Of("sku", x => x.Sku, (x, v) => x.Sku = v),
            ContractMember<ProductView>.Of("title", x => x.Title, (x, v) => x.Title = v),
            ContractMember<ProductView>.Of("priceCents", x => x.PriceCents, (x, v) => x.PriceCents = v),
            ContractMember<ProductView>.Of("currency", x => x.Currency, (x, v) => x.Currency = v),
            ContractMember<ProductView>.Of("imageUrl", x => x.ImageUrl, (x, v) => x.ImageUrl = v),
            ContractMember<ProductView>.Of("stock", x => x.Stock, (x, v) => x.Stock = v)),
        new ContractFormatter<PurchaseRequest>(
            ContractMember<PurchaseRequest>.Of("sku", x => x.Sku, (x, v) => x.Sku = v),
            ContractMember<PurchaseRequest>.Of("quantity", x => x.Quantity, (x, v) => x.Quantity = v),
            ContractMember<PurchaseRequest>.Of("idempotencyKey", x => x.IdempotencyKey, (x, v) => x.IdempotencyKey = v),
            ContractMember<PurchaseRequest>.Of("couponId", x => x.CouponId, (x, v) => x.CouponId = v)),
        new ContractFormatter<PurchaseResult>(
            ContractMember<PurchaseResult>.Of("status", x => x.Status, (x, v) => x.Status = v),
            ContractMember<PurchaseResult>.Of("orderId", x => x.OrderId, (x, v) => x.OrderId = v),
            ContractMember<PurchaseResult>.Of("reason", x => x.Reason, (x, v) => x.Reason = v),
            ContractMember<PurchaseResult>.Of("unitPriceCents", x => x.UnitPriceCents, (x, v) => x.UnitPriceCents = v),
            ContractMember<PurchaseResult>.Of("discountCents", x => x.DiscountCents, (x, v) => x.DiscountCents = v),
            ContractMember<PurchaseResult>.Of("memberPrice", x => x.MemberPrice, (x, v) => x.MemberPrice = v)),
        new ContractFormatter<PurchaseToast>(
            ContractMember<PurchaseToast>.Of("displayName", x => x.DisplayName, (x, v) => x.DisplayName = v),
            ContractMember<PurchaseToast>.Of("sku", x => x.Sku, (x, v) => x.Sku = v),
            ContractMember<PurchaseToast>.Of("quantity", x => x.Quantity, (x, v) => x.Quantity = v),
            ContractMember<PurchaseToast>.Of("seq", x => x.Seq, (x, v) => x.Seq = v)),
        new ContractFormatter<NextShowEvent>(
            ContractMember<NextShowEvent>.Of("nextShowAt", x => x.NextShowAt, (x, v) => x.NextShowAt = v),
            ContractMember<NextShowEvent>.Of("seq", x => x.Seq, (x, v) => x.Seq = v)),
        new ContractFormatter<StatusEvent>(
            ContractMember<StatusEvent>.Of("live", x => x.Live, (x, v) => x.Live = v),
            ContractMember<StatusEvent>.Of("seq", x => x.Seq, (x, v) => x.Seq = v)),
        new ContractFormatter<StockEvent>(
            ContractMember<StockEvent>.Of("sku", x => x.Sku, (x, v) => x.Sku = v),
            ContractMember<StockEvent>.Of("remaining", x => x.Remaining, (x, v) => x.Remaining = v),
            ContractMember<StockEvent>.Of("seq", x => x.Seq, (x, v) => x.Seq = v)),
        new ContractFormatter<UnpinnedEvent>(
            ContractMember<UnpinnedEvent>.Of("seq", x => x.Seq, (x, v) => x.Seq = v)),
        new ContractFormatter<LikesEvent>(
            ContractMember<LikesEvent>.Of("total", x => x.Total, (x, v) => x.Total = v),
            ContractMember<LikesEvent>.Of("seq", x => x.Seq, (x, v) => x.Seq = v)),
        new ContractFormatter<ViewersEvent>(
            ContractMember<ViewersEvent>.Of("count", x => x.Count, (x, v) => x.Count = v),
            ContractMember<ViewersEvent>.Of("seq", x => x.Seq, (x, v) => x.Seq = v)),
        new ContractFormatter<RoomEventView>(
            ContractMember<RoomEventView>.Of("name", x => x.Name, (x, v) => x.Name = v),
            ContractMember<RoomEventView>.Of("seq", x => x.Seq, (x, v) => x.Seq = v),
            ContractMember<RoomEventView>.Of("message", x => x.Message, (x, v) => x.Message = v),
            ContractMember<RoomEventView>.Of("messageDeleted", x => x.MessageDeleted, (x, v) => x.MessageDeleted = v),
            ContractMember<RoomEventView>.Of("pinned", x => x.Pinned, (x, v) => x.Pinned = v),
            ContractMember<RoomEventView>.Of("unpinned", x => x.Unpinned, (x, v) => x.Unpinned = v),
            ContractMember<RoomEventView>.Of("flashSale", x => x.FlashSale, (x, v) => x.FlashSale = v),
            ContractMember<RoomEventView>.Of("stock", x => x.Stock, (x, v) => x.Stock = v),
            ContractMember<RoomEventView>.Of("purchase", x => x.Purchase, (x, v) => x.Purchase = v),
            ContractMember<RoomEventView>.Of("viewers", x => x.Viewers, (x, v) => x.Viewers = v),
            ContractMember<RoomEventView>.Of("status", x => x.Status, (x, v) => x.Status = v),
            ContractMember<RoomEventView>.Of("nextShow", x => x.NextShow, (x, v) => x.NextShow = v),
            ContractMember<RoomEventView>.Of("coupon", x => x.Coupon, (x, v) => x.Coupon = v),
            ContractMember<RoomEventView>.Of("likes", x => x.Likes, (x, v) => x.Likes = v),
            ContractMember<RoomEventView>.Of("draw", x => x.Draw, (x, v) => x.Draw = v),
            ContractMember<RoomEventView>.Of("drawResult", x => x.DrawResult, (x, v) => x.DrawResult = v),
            ContractMember<RoomEventView>.Of("cue", x => x.Cue, (x, v) => x.Cue = v)),
        new ContractFormatter<LineupEvent>(
            ContractMember<LineupEvent>.Of("items", x => x.Items, (x, v) => x.Items = v)),
        new ContractFormatter<ResumeResult>(
            ContractMember<ResumeResult>.Of("seq", x => x.Seq, (x, v) => x.Seq = v),
            ContractMember<ResumeResult>.Of("events", x => x.Events, (x, v) => x.Events = v),
            ContractMember<ResumeResult>.Of("snapshot", x => x.Snapshot, (x, v) => x.Snapshot = v),
            ContractMember<ResumeResult>.Of("you", x => x.You, (x, v) => x.You = v)),
        new ContractFormatter<DrawRequest>(
            ContractMember<DrawRequest>.Of("sku", x => x.Sku, (x, v) => x.Sku = v),
            ContractMember<DrawRequest>.Of("winners", x => x.Winners, (x, v) => x.Winners = v),
            ContractMember<DrawRequest>.Of("durationSeconds", x => x.DurationSeconds, (x, v) => x.DurationSeconds = v),
            ContractMember<DrawRequest>.Of("requires", x => x.Requires, (x, v) => x.Requires = v)),
        new ContractFormatter<DrawView>(
            ContractMember<DrawView>.Of("drawId", x => x.DrawId, (x, v) => x.DrawId = v),
            ContractMember<DrawView>.Of("sku", x => x.Sku, (x, v) => x.Sku = v),
            ContractMember<DrawView>.Of("winners", x => x.Winners, (x, v) => x.Winners = v),
            ContractMember<DrawView>.Of("endsAt", x => x.EndsAt, (x, v) => x.EndsAt = v),
            ContractMember<DrawView>.Of("requires", x => x.Requires, (x, v) => x.Requires = v),
            ContractMember<DrawView>.Of("commitment", x => x.Commitment, (x, v) => x.Commitment = v),
            ContractMember<DrawView>.Of("entrants", x => x.Entrants, (x, v) => x.Entrants = v),
            ContractMember<DrawView>.Of("seq", x => x.Seq, (x, v) => x.Seq = v),
            ContractMember<DrawView>.Of("active", x => x.Active, (x, v) => x.Active = v),
            ContractMember<DrawView>.Of("result", x => x.Result, (x, v) => x.Result = v)),
        new ContractFormatter<DrawResultView>(
            ContractMember<DrawResultView>.Of("drawId", x => x.DrawId, (x, v) => x.DrawId = v),
            ContractMember<DrawResultView>.Of("winners", x => x.Winners, (x, v) => x.Winners = v),
            ContractMember<DrawResultView>.Of("seed", x => x.Seed, (x, v) => x.Seed = v),
            ContractMember<DrawResultView>.Of("entrants", x => x.Entrants, (x, v) => x.Entrants = v),
            ContractMember<DrawResultView>.Of("seq", x => x.Seq, (x, v) => x.Seq = v)),
        new ContractFormatter<DrawWinnerView>(
            ContractMember<DrawWinnerView>.Of("userId", x => x.UserId, (x, v) => x.UserId = v),
            ContractMember<DrawWinnerView>.Of("displayName", x => x.DisplayName, (x, v) => x.DisplayName = v)),
        new ContractFormatter<DrawEntryResult>(
            ContractMember<DrawEntryResult>.Of("status", x => x.Status, (x, v) => x.Status = v),
            ContractMember<DrawEntryResult>.Of("reason", x => x.Reason, (x, v) => x.Reason = v)),
        new ContractFormatter<CueEvent>(
            ContractMember<CueEvent>.Of("seq", x => x.Seq, (x, v) => x.Seq = v),
            ContractMember<CueEvent>.Of("kind", x => x.Kind, (x, v) => x.Kind = v),
            ContractMember<CueEvent>.Of("streamTimeMs", x => x.StreamTimeMs, (x, v) => x.StreamTimeMs = v),
            ContractMember<CueEvent>.Of("id", x => x.Id, (x, v) => x.Id = v)),
        new ListFormatter<DrawWinnerView>(),
        new ListFormatter<ProductView>(),
        new ListFormatter<RoomEventView>(),
        new ListFormatter<ChatMessageView>(),
        new ListFormatter<CouponView>(),
    ];

    /// <summary>The hub's formatters, then MessagePack's built-in ones (string, numbers, bool, DateTime, nullable primitives).</summary>
    public static IFormatterResolver Resolver { get; } = CompositeResolver.Create(All, [BuiltinResolver.Instance]);

    /// <summary>What <c>AddMessagePackProtocol</c> is given; untrusted data as SignalR's defaults (clients are anonymous).</summary>
    public static MessagePackSerializerOptions SerializerOptions { get; } =
        new MessagePackSerializerOptions(Resolver).WithSecurity(MessagePackSecurity.UntrustedData);
}
