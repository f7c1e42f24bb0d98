using Relay.Chat.Channels;
using Relay.Chat.Contracts;
using Relay.Chat.Ledger;
using Relay.Chat.Rooms;

namespace Relay.Tests.Unit.Chat.Rooms;

/// <summary>The pure parts of one room across nodes (issue 14): the embedded bus's seq order, a room applying events by seq
/// (and keeping those that arrive while it loads), and what a room adds of the other nodes' viewers.</summary>
public sealed class RoomBusTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static readonly DateTimeOffset Now = new(2026, 12, 7, 12, 0, 0, TimeSpan.Zero);

    private static LiveRoom Room() => new("demo", "Show", live: false, [new LineupItem("MUG", "Mug", 1800, "USD", null, 30)],
        new LineupStock(new Dictionary<string, int> { ["MUG"] = 30 }, Sequence: 1), sale: null, Now, recentLimit: 3);

    private static RoomEvent Message(string text, long seq = 0) => new()
    {
        ChannelId = "demo", Kind = RoomEventKind.Message, Seq = seq,
        Message = new ChatMessageView { Id = "msg_" + text, Text = text, UserId = "p_1", DisplayName = "Ann", Role = "guest" },
    };

    [Fact]
    public async Task The_embedded_bus_hands_events_over_in_seq_order_whatever_threads_publish_them()
    {
        var bus = new InProcessRoomBus(TimeProvider.System);
        List<long> received = [];
        await bus.StartAsync(e =>
        {
            lock (received) received.Add(e.Seq);
            return Task.CompletedTask;
        }, Ct);

        await Task.WhenAll(Enumerable.Range(0, 8).Select(t => Task.Run(async () =>
        {
            for (var i = 0; i < 500; i++) await bus.PublishAsync(Message($"{t}-{i}"), Ct);
        }, Ct)));

        Assert.Equal(4000, received.Count);
        Assert.True(received.Zip(received.Skip(1)).All(p => p.Second == p.First + 1), "every seq once, in order");
        // A room's seq starts from the clock (microseconds since 1970), so it never goes back after a restart.
        Assert.InRange(received[0], InProcessRoomBus.SeqBase(DateTimeOffset.UtcNow.AddMinutes(-1)), InProcessRoomBus.SeqBase(DateTimeOffset.UtcNow) + 1);
    }

    [Fact]
    public async Task A_quiet_event_takes_no_seq_and_rooms_have_their_own_seqs()
    {
        var bus = new InProcessRoomBus(TimeProvider.System);
        List<RoomEvent> received = [];
        await bus.StartAsync(e =>
        {
            received.Add(e);
            return Task.CompletedTask;
        }, Ct);
        await bus.PublishAsync(Message("a"), Ct);
        await bus.PublishAsync(new RoomEvent { ChannelId = "demo", Kind = RoomEventKind.Mute, MuteKey = "p_1", MutedUntil = Now.AddMinutes(1) }, Ct);
        await bus.PublishAsync(new RoomEvent { ChannelId = "other", Kind = RoomEventKind.Unpinned }, Ct);
        await bus.PublishAsync(Message("b"), Ct);

        Assert.Equal(0, received[1].Seq);
        Assert.Equal(received[0].Seq + 1, received[3].Seq);
        Assert.NotEqual(received[0].Seq + 1, received[2].Seq);
    }

    [Fact]
    public void A_room_applies_each_seq_once_and_never_an_older_one()
    {
        var room = Room();
        room.CompleteLoad(null, "a", Now);

        Assert.NotNull(room.Apply(Message("one", 10), "a", null, Now));
        Assert.Null(room.Apply(Message("again", 10), "a", null, Now));
        Assert.Null(room.Apply(Message("older", 9), "a", null, Now));
        var delivery = room.Apply(Message("two", 11), "a", null, Now);

        Assert.Equal("message", delivery?.EventName);
        var snapshot = room.Admit("c1", "p_2", null, null, Now);
        Assert.Equal(11, snapshot.Seq);
        Assert.Equal([("one", 10L), ("two", 11L)], snapshot.RecentMessages.Select(m => (m.Text, m.Seq)));
    }

    [Fact]
    public void Events_that_arrive_while_a_room_loads_are_applied_on_top_of_the_state_unless_it_has_them()
    {
        var room = Room();
        // Published while the shared state was being read: 20 is in the state, 21 is not.
        Assert.Null(room.Apply(Message("in the state", 20), "b", null, Now));
        Assert.Null(room.Apply(Message("after it", 21), "b", null, Now));
        Assert.Null(room.Apply(new RoomEvent { ChannelId = "demo", Kind = RoomEventKind.Mute, MuteKey = "p_9", MutedUntil = Now.AddMinutes(5) }, "b", null, Now));

        room.CompleteLoad(new RoomState
        {
            Seq = 20,
            PinnedSku = "MUG",
            RecentMessages = [new ChatMessageView { Id = "msg_s", Text = "in the state", Seq = 20 }],
            Mutes = { ["p_7"] = Now.AddMinutes(1), ["p_old"] = Now.AddMinutes(-1) },
            SlowModeSeconds = 5,
            OtherViewers = 40,
        }, "b", Now);

        var snapshot = room.Admit("c1", "p_2", null, null, Now);
        Assert.Equal(21, snapshot.Seq);
        Assert.Equal(["in the state", "after it"], snapshot.RecentMessages.Select(m => m.Text));
        Assert.Equal("MUG", snapshot.Pinned?.Sku);
        Assert.Equal(5, snapshot.SlowModeSeconds);
        Assert.Equal(41, snapshot.Viewers);
        Assert.NotNull(room.MutedFor("p_7", isAddress: false, Now));
        Assert.NotNull(room.MutedFor("p_9", isAddress: false, Now));
        Assert.Null(room.MutedFor("p_old", isAddress: false, Now));
    }

    [Fact]
    public void A_viewers_event_shows_the_sum_and_the_room_keeps_the_other_nodes_part()
    {
        var room = Room();
        room.CompleteLoad(null, "a", Now);
        room.Admit("c1", "p_1", null, null, Now);
        room.Admit("c2", "p_2", null, null, Now);

        var delivery = room.Apply(new RoomEvent
        {
            ChannelId = "demo", Kind = RoomEventKind.Viewers, Seq = 5, Viewers = 9,
            ViewersByNode = new() { ["a"] = 2, ["b"] = 3, ["c"] = 4 },
        }, "a", null, Now);

        Assert.Equal("viewers", delivery?.EventName);
        // The snapshot counts this node's connections now (one more) and the others' last count.
        Assert.Equal(10, room.Admit("c3", "p_3", null, null, Now).Viewers);
    }

    [Fact]
    public void Viewer_counts_of_the_other_nodes_are_merged_without_this_one()
    {
        Assert.Equal(0, RoomViewers.OthersThan("a", null));
        Assert.Equal(7, RoomViewers.OthersThan("a", new Dictionary<string, int> { ["a"] = 5, ["b"] = 3, ["c"] = 4 }));
        Assert.Equal(12, RoomViewers.OthersThan("z", new Dictionary<string, int> { ["a"] = 5, ["b"] = 3, ["c"] = 4 }));
        Assert.Equal(3, RoomViewers.OthersThan("a", new Dictionary<string, int> { ["b"] = 3, ["c"] = -1 }));
    }

    [Fact]
    public void A_flash_sale_end_published_twice_is_announced_once()
    {
        var room = Room();
        room.CompleteLoad(null, "a", Now);
        var sale = new FlashSaleRecord("s1", "demo", "MUG", 999, "USD", 10, 10, Now.AddMinutes(5));
        Assert.Equal("flashSale", room.Apply(new RoomEvent { ChannelId = "demo", Kind = RoomEventKind.FlashSaleStarted, Seq = 1, Sale = sale }, "a", null, Now)?.EventName);

        var end = new RoomEvent { ChannelId = "demo", Kind = RoomEventKind.FlashSaleEnded, Seq = 2, SaleId = "s1", At = Now.AddSeconds(30) };
        Assert.NotNull(room.Apply(end, "a", null, Now));
        Assert.Null(room.Apply(new RoomEvent { ChannelId = "demo", Kind = RoomEventKind.FlashSaleEnded, Seq = 3, SaleId = "s1", At = Now.AddSeconds(31) }, "a", null, Now));
        Assert.Null(room.Admit("c1", "p_1", null, null, Now).FlashSale);
    }

    [Fact]
    public void A_stock_count_from_another_node_applies_when_newer_and_feeds_the_sold_out_check()
    {
        var room = Room();
        room.CompleteLoad(null, "b", Now);
        var stock = room.Apply(new RoomEvent { ChannelId = "demo", Kind = RoomEventKind.Stock, Seq = 1, Stock = new StockCount("MUG", null, 0, null, Sequence: 5) }, "b", null, Now);
        Assert.Equal("stock", stock?.EventName);
        Assert.True(room.Offer("MUG", 1, Now, TimeSpan.FromSeconds(1)).KnownSoldOut);

        // An older count (read before) never undoes it.
        room.Apply(new RoomEvent { ChannelId = "demo", Kind = RoomEventKind.Stock, Seq = 2, Stock = new StockCount("MUG", null, 7, null, Sequence: 4) }, "b", null, Now);
        Assert.Equal(0, room.Admit("c1", "p_1", null, null, Now).Lineup.Single().Stock);
    }

    [Fact]
    public void A_room_that_missed_events_takes_the_shared_state_again()
    {
        var room = Room();
        room.CompleteLoad(null, "a", Now);
        room.Apply(new RoomEvent { ChannelId = "demo", Kind = RoomEventKind.Pinned, Seq = 1, Product = new ProductView { Sku = "MUG" } }, "a", null, Now);
        room.Apply(Message("kept", 2), "a", null, Now);
        room.Apply(new RoomEvent { ChannelId = "demo", Kind = RoomEventKind.Mute, MuteKey = "p_lifted", MutedUntil = Now.AddMinutes(5) }, "a", null, Now);

        // Missed meanwhile: an unpin, a new message, the lifted mute, a sale.
        var sale = new FlashSaleRecord("s2", "demo", "MUG", 999, "USD", 10, 10, Now.AddMinutes(5));
        room.Resync(new RoomState
        {
            Seq = 9,
            FlashSale = sale,
            RecentMessages = [new ChatMessageView { Id = "msg_kept", Text = "kept", Seq = 2 }, new ChatMessageView { Id = "msg_new", Text = "new", Seq = 7 }],
        }, "a", Now);

        var snapshot = room.Admit("c1", "p_1", null, null, Now);
        Assert.Equal(9, snapshot.Seq);
        Assert.Null(snapshot.Pinned);
        Assert.Equal("s2", room.FlashSaleId());
        Assert.Equal(["kept", "new"], snapshot.RecentMessages.Select(m => m.Text));
        Assert.Null(room.MutedFor("p_lifted", isAddress: false, Now));
        Assert.Null(room.Apply(Message("old news", 8), "a", null, Now));

        // An older state never rolls the room back.
        room.Resync(new RoomState { Seq = 3 }, "a", Now);
        Assert.Equal(2, room.Admit("c2", "p_2", null, null, Now).RecentMessages.Count);
    }
}
