using Microsoft.AspNetCore.SignalR.Protocol;
using Relay.Chat.Contracts;

namespace Relay.Tests.Unit.Chat.Contracts;

/// <summary>Representative messages of `/hubs/live`, one per event, return and argument shape, with every optional member
/// both set and unset somewhere, and times with sub-second ticks.</summary>
internal static class HubPayloads
{
    private static readonly DateTime At = new DateTime(2026, 12, 7, 3, 4, 5, DateTimeKind.Utc).AddTicks(1_234_567);

    private static ProductView Lipstick => new() { Sku = "LIP-1", Title = "Lipstick", PriceCents = 1999, Currency = "EUR", ImageUrl = "https://shop.example/lip.png", Stock = 5 };

    private static ProductView Scarf => new() { Sku = "SCARF-2", Title = "Silk scarf", PriceCents = 12_345_678_901, Currency = "USD", ImageUrl = null, Stock = null };

    private static ChatMessageView Hello => new() { Id = "m_1", UserId = "p_0123456789abcdef", DisplayName = "Ana", Text = "Hello ✨ world", At = At, Role = "guest" };

    private static FlashSaleView Sale => new() { Sku = "LIP-1", PriceCents = 999, Currency = "EUR", Quantity = 300, Remaining = 299, EndsAt = At.AddMinutes(5), Active = true };

    public static IReadOnlyDictionary<string, HubMessage> All { get; } = new Dictionary<string, HubMessage>
    {
        ["Join returns a full snapshot"] = CompletionMessage.WithResult("1", new JoinSnapshot
        {
            ChannelId = "demo", Title = "Demo show", Live = true, Viewers = 70_000, Pinned = Lipstick, Lineup = [Lipstick, Scarf],
            FlashSale = Sale, RecentMessages = [Hello, new ChatMessageView { Id = "m_2", UserId = "host_demo", DisplayName = "Host", Text = "", At = At, Role = "host" }],
            SlowModeSeconds = 30, You = new ParticipantView { UserId = "p_0123456789abcdef", DisplayName = "Ana", Role = "guest" },
        }),
        ["Join returns an empty snapshot"] = CompletionMessage.WithResult("2", new JoinSnapshot { ChannelId = "quiet", Title = "" }),
        ["Purchase returns a reservation"] = CompletionMessage.WithResult("3", new PurchaseResult { Status = PurchaseStatus.Reserved, OrderId = "ord_42" }),
        ["Purchase returns a refusal"] = CompletionMessage.WithResult("4", new PurchaseResult { Status = PurchaseStatus.SoldOut, Reason = "LIP-1 is sold out" }),
        ["message"] = new InvocationMessage("message", [Hello]),
        ["messageDeleted"] = new InvocationMessage("messageDeleted", [new MessageDeletedEvent { Id = "m_1" }]),
        ["pinned"] = new InvocationMessage("pinned", [PinnedEvent.Of(Lipstick, 1_765_000_000_000_001)]),
        ["pinned without image or stock"] = new InvocationMessage("pinned", [PinnedEvent.Of(Scarf, 0)]),
        ["unpinned"] = new InvocationMessage("unpinned", [new UnpinnedEvent { Seq = 42 }]),
        ["flashSale"] = new InvocationMessage("flashSale", [Sale]),
        ["flashSale ended"] = new InvocationMessage("flashSale", [new FlashSaleView { Sku = "LIP-1", Currency = "EUR", EndsAt = At, Active = false }]),
        ["stock"] = new InvocationMessage("stock", [new StockEvent { Sku = "LIP-1", Remaining = 0, Seq = 7 }]),
        ["purchase"] = new InvocationMessage("purchase", [new PurchaseToast { DisplayName = "Alice S.", Sku = "LIP-1", Quantity = 2 }]),
        ["order confirmed"] = new InvocationMessage("order", [new OrderEvent { OrderId = "ord_42", Status = "confirmed", CheckoutUrl = "https://shop.example/pay/42" }]),
        ["order failed"] = new InvocationMessage("order", [new OrderEvent { OrderId = "ord_43", Status = "failed" }]),
        ["viewers"] = new InvocationMessage("viewers", [new ViewersEvent { Count = -1 }]),
        ["status"] = new InvocationMessage("status", [new StatusEvent { Live = false }]),
        ["nextShow"] = new InvocationMessage("nextShow", [new NextShowEvent { NextShowAt = new DateTime(2026, 12, 24, 12, 0, 0, DateTimeKind.Utc), Seq = 9 }]),
        ["nextShow cleared"] = new InvocationMessage("nextShow", [new NextShowEvent { Seq = 10 }]),
        ["Join returns a snapshot with the next show"] = CompletionMessage.WithResult("10", new JoinSnapshot
        {
            ChannelId = "soon", Title = "Soon", NextShowAt = new DateTime(2026, 12, 24, 12, 0, 0, DateTimeKind.Utc), Seq = 3,
        }),
        ["Join call"] = new InvocationMessage("5", "Join", ["demo", new JoinOptions { DisplayName = "Ana", Referrer = null }]),
        ["Join call without options"] = new InvocationMessage("6", "Join", ["demo", null]),
        ["Purchase call"] = new InvocationMessage("7", "Purchase", [new PurchaseRequest { Sku = "LIP-1", Quantity = 1, IdempotencyKey = "k-1" }]),
        ["StartFlashSale call"] = new InvocationMessage("8", "StartFlashSale", [new FlashSaleRequest { Sku = "LIP-1", PriceCents = 999, Quantity = 10, DurationSeconds = 600 }]),
        ["Mute call"] = new InvocationMessage("9", "Mute", ["p_0123456789abcdef", 300]),
        ["cue"] = new InvocationMessage("cue", [new CueEvent { Seq = 11, Kind = CueKinds.Pin, StreamTimeMs = 123_456, Id = "LIP-1" }]),
    };
}
