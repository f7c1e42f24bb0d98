using Relay.Tests.Common;
using Relay.Tests.Common.Hosts;
using Relay.Tests.Common.Media;
using Relay.Tests.Common.Peers;
using Relay.Tests.Common.Chat;
using System.Threading.Channels;
using Microsoft.AspNetCore.SignalR;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Relay.Chat.Channels;
using Relay.Chat.Configuration;
using Relay.Chat.Contracts;
using Relay.Chat.Ledger;
using Relay.Chat.Merchandising;
using Relay.Chat.Rooms;

namespace Relay.Tests.Integration.Chat;

/// <summary><see cref="RoomStock"/> is the one place a ledger count reaches a room and its viewers.</summary>
public sealed class RoomStockTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task A_reservation_that_reports_after_a_later_quiet_count_still_announces_the_stock()
    {
        var now = DateTimeOffset.UtcNow;
        var viewers = new RecordingClients();
        var bus = new InProcessRoomBus(TimeProvider.System);
        var directory = new InMemoryChannelDirectory().Add("stock1", "host-key", new LineupItem("LIP-1", "Lipstick", 1999, "EUR", null, 5));
        var registry = new LiveRoomRegistry(directory, directory, new NoLedger(), new NoLedger(), bus, Options.Create(new ChatOptions()), TimeProvider.System,
            new NoLikes(), new NoDraws());
        var events = new RoomEvents(registry, new RoomBroadcaster(viewers, new NoGroups(), NullLogger<RoomBroadcaster>.Instance), bus, new NoRoomActivity(), TimeProvider.System,
            NullLogger<RoomEvents>.Instance);
        await bus.StartAsync(events.ReceiveAsync, Ct);
        var room = (await registry.GetOrOpenAsync("stock1", Ct))!;
        var epoch = room.Offer("LIP-1", 1, now, TimeSpan.FromSeconds(1)).StockEpoch;
        var stock = new RoomStock(registry, new StockPublisher(events, TimeProvider.System), events, TimeProvider.System);

        // The last unit's reservation committed first (sequence 10) but reports after a sold-out refusal read the ledger
        // (sequence 11). The refusal's count is applied without an event and the reservation's is older: the room shows 0,
        // and the reservation must still tell the viewers, or they keep seeing 1 left.
        room.ApplyLedgerCount("LIP-1", null, 0, null, sequence: 11, epoch, now);
        stock.Apply(room, "LIP-1", null, 0, null, sequence: 10, epoch);

        var sent = await viewers.Stock.Reader.ReadAsync(Ct).AsTask().WaitAsync(TimeSpan.FromSeconds(10), Ct);
        Assert.Equal(("LIP-1", 0), (sent.Sku, sent.Remaining));
    }

    /// <summary>Every group is one recording proxy: the broadcaster sends events by their wire name.</summary>
    private sealed class RecordingClients : IHubClients, IClientProxy
    {
        public Channel<StockEvent> Stock { get; } = Channel.CreateUnbounded<StockEvent>();

        public IClientProxy All => this;
        public IClientProxy AllExcept(IReadOnlyList<string> excludedConnectionIds) => this;
        public IClientProxy Client(string connectionId) => this;
        public IClientProxy Clients(IReadOnlyList<string> connectionIds) => this;
        public IClientProxy Group(string groupName) => this;
        public IClientProxy GroupExcept(string groupName, IReadOnlyList<string> excludedConnectionIds) => this;
        public IClientProxy Groups(IReadOnlyList<string> groupNames) => this;
        public IClientProxy User(string userId) => this;
        public IClientProxy Users(IReadOnlyList<string> userIds) => this;

        public Task SendCoreAsync(string method, object?[] args, CancellationToken cancellationToken = default) =>
            method == "stock" ? Stock.Writer.WriteAsync((StockEvent)args[0]!, cancellationToken).AsTask() : Task.CompletedTask;
    }

    private sealed class NoGroups : IGroupManager
    {
        public Task AddToGroupAsync(string connectionId, string groupName, CancellationToken cancellationToken = default) => Task.CompletedTask;
        public Task RemoveFromGroupAsync(string connectionId, string groupName, CancellationToken cancellationToken = default) => Task.CompletedTask;
    }

    private sealed class NoLikes : ILikeCounter
    {
        public Task<LikeTally> AddAsync(string channelId, long taps, CancellationToken cancellationToken) => Task.FromResult(default(LikeTally));
        public Task<long> TotalAsync(string channelId, CancellationToken cancellationToken) => Task.FromResult(0L);
    }

    private sealed class NoDraws : IDrawStore
    {
        public Task<bool> StartDrawAsync(DrawRecord draw, CancellationToken cancellationToken) => throw new NotSupportedException();
        public Task<DrawEntry> EnterDrawAsync(string drawId, DrawEntrant entrant, string buyerId, string? referrer, DateTimeOffset now, CancellationToken cancellationToken) => throw new NotSupportedException();
        public Task<IReadOnlyList<(string DrawId, string ChannelId)>> DueDrawsAsync(DateTimeOffset now, CancellationToken cancellationToken) => throw new NotSupportedException();
        public Task<DrawRecord?> EndDrawAsync(string drawId, DateTimeOffset now, CancellationToken cancellationToken) => throw new NotSupportedException();
        public Task<DrawRecord?> FindDrawAsync(string channelId, string drawId, CancellationToken cancellationToken) => throw new NotSupportedException();
        public Task<DrawRecord?> LatestDrawAsync(string channelId, CancellationToken cancellationToken) => Task.FromResult<DrawRecord?>(null);
    }

    /// <summary>The room opens on one unit of LIP-1 (sequence 1) and no sale; nothing else is asked.</summary>
    private sealed class NoLedger : IStockLedger, ICouponLedger
    {
        public Task DropCouponAsync(CouponRecord coupon, CancellationToken cancellationToken) => throw new NotSupportedException();
        public Task<CouponClaimOutcome> ClaimCouponAsync(CouponClaim claim, CancellationToken cancellationToken) => throw new NotSupportedException();
        public Task<IReadOnlyList<CouponRecord>> FindActiveCouponsAsync(string channelId, DateTimeOffset now, CancellationToken cancellationToken) =>
            Task.FromResult<IReadOnlyList<CouponRecord>>([]);
        public Task<ReservationOutcome> ReserveAsync(ReservationRequest request, CancellationToken cancellationToken) => throw new NotSupportedException();
        public Task<string?> FindReservationAsync(string channelId, string buyerId, string idempotencyKey, CancellationToken cancellationToken) => throw new NotSupportedException();
        public Task<LineupStock> ApplyLineupAsync(string channelId, IReadOnlyList<LineupItem> lineup, bool resetStock, CancellationToken cancellationToken) =>
            Task.FromResult(new LineupStock(new Dictionary<string, int> { ["LIP-1"] = 1 }, Sequence: 1));
        public Task<FlashSaleRecord> StartFlashSaleAsync(string channelId, string sku, long priceCents, string currency, int quantity, DateTimeOffset endsAt, DateTimeOffset? startsAt, CancellationToken cancellationToken) => throw new NotSupportedException();
        public Task<bool> EndFlashSaleAsync(string channelId, string? saleId, CancellationToken cancellationToken) => throw new NotSupportedException();
        public Task<FlashSaleRecord?> FindActiveFlashSaleAsync(string channelId, DateTimeOffset now, CancellationToken cancellationToken) => Task.FromResult<FlashSaleRecord?>(null);
    }
}
