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
        new ContractFormatter<FlashSaleRequest>(
            ContractMember<FlashSaleRequest>.Of("sku", x => x.Sku, (x, v) => x.Sku = v),
            ContractMember<FlashSaleRequest>.Of("priceCents", x => x.PriceCents, (x, v) => x.PriceCents = v),
            ContractMember<FlashSaleRequest>.Of("quantity", x => x.Quantity, (x, v) => x.Quantity = v),
            ContractMember<FlashSaleRequest>.Of("durationSeconds", x => x.DurationSeconds, (x, v) => x.DurationSeconds = v)),
        new ContractFormatter<FlashSaleView>(
            ContractMember<FlashSaleView>.Of("sku", x => x.Sku, (x, v) => x.Sku = v),
            ContractMember<FlashSaleView>.Of("priceCents", x => x.PriceCents, (x, v) => x.PriceCents = v),
            ContractMember<FlashSaleView>.Of("currency", x => x.Currency, (x, v) => x.Currency = v),
            ContractMember<FlashSaleView>.Of("quantity", x => x.Quantity, (x, v) => x.Quantity = v),
            ContractMember<FlashSaleView>.Of("remaining", x => x.Remaining, (x, v) => x.Remaining = v),
            ContractMember<FlashSaleView>.Of("endsAt", x => x.EndsAt, (x, v) => x.EndsAt = v),
            ContractMember<FlashSaleView>.Of("active", x => x.Active, (x, v) => x.Active = v),
            ContractMember<FlashSaleView>.Of("seq", x => x.Seq, (x, v) => x.Seq = v)),
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
            ContractMember<JoinSnapshot>.Of("nextShowAt", x => x.NextShowAt, (x, v) => x.NextShowAt = v)),
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
            ContractMember<ParticipantView>.Of("shareCode", x => x.ShareCode, (x, v) => x.ShareCode = v)),
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
            ContractMember<PurchaseRequest>.Of("idempotencyKey", x => x.IdempotencyKey, (x, v) => x.IdempotencyKey = v)),
        new ContractFormatter<PurchaseResult>(
            ContractMember<PurchaseResult>.Of("status", x => x.Status, (x, v) => x.Status = v),
            ContractMember<PurchaseResult>.Of("orderId", x => x.OrderId, (x, v) => x.OrderId = v),
            ContractMember<PurchaseResult>.Of("reason", x => x.Reason, (x, v) => x.Reason = v),
            ContractMember<PurchaseResult>.Of("unitPriceCents", x => x.UnitPriceCents, (x, v) => x.UnitPriceCents = v),
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
        new ContractFormatter<ViewersEvent>(
            ContractMember<ViewersEvent>.Of("count", x => x.Count, (x, v) => x.Count = v),
            ContractMember<ViewersEvent>.Of("seq", x => x.Seq, (x, v) => x.Seq = v)),
        new ListFormatter<ProductView>(),
        new ListFormatter<ChatMessageView>(),
    ];

    /// <summary>The hub's formatters, then MessagePack's built-in ones (string, numbers, bool, DateTime, nullable primitives).</summary>
    public static IFormatterResolver Resolver { get; } = CompositeResolver.Create(All, [BuiltinResolver.Instance]);

    /// <summary>What <c>AddMessagePackProtocol</c> is given; untrusted data as SignalR's defaults (clients are anonymous).</summary>
    public static MessagePackSerializerOptions SerializerOptions { get; } =
        new MessagePackSerializerOptions(Resolver).WithSecurity(MessagePackSecurity.UntrustedData);
}
