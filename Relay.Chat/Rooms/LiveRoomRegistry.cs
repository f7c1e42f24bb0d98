using System.Collections.Concurrent;
using Microsoft.Extensions.Options;
using Relay.Chat.Channels;
using Relay.Chat.Configuration;
using Relay.Chat.Ledger;

namespace Relay.Chat.Rooms;

/// <summary>Rooms are opened on first Join from the channel directory, the ledger and the room bus's shared state, then
/// live for the process.</summary>
internal sealed class LiveRoomRegistry(IChannelDirectory directory, IHostCredentials credentials, IStockLedger ledger, ICouponLedger coupons, IRoomBus bus,
    IOptions<ChatOptions> options, TimeProvider time, ILikeCounter likes, IDrawStore draws)
{
    /// <summary>Checked on every call of a joined host, so a rotated host key ends its rights at once.</summary>
    public IHostCredentials Credentials => credentials;

    private readonly ConcurrentDictionary<string, LiveRoom> _rooms = new(StringComparer.Ordinal);

    /// <summary>Rooms being opened: they already take the bus's events (kept until their shared state is loaded).</summary>
    private readonly ConcurrentDictionary<string, LiveRoom> _opening = new(StringComparer.Ordinal);

    /// <summary>Raised once per room that opens with a running flash sale, so its auto-end timer is armed.</summary>
    public event Action<LiveRoom>? RoomOpened;

    public LiveRoom? Find(string channelId) => _rooms.TryGetValue(channelId, out var room) ? room : null;

    /// <summary>The room the bus's events for <paramref name="channelId"/> go to: an open one, or one being opened.</summary>
    public LiveRoom? FindForEvents(string channelId) =>
        _rooms.TryGetValue(channelId, out var room) || _opening.TryGetValue(channelId, out room) ? room : null;

    public async Task<LiveRoom?> GetOrOpenAsync(string channelId, CancellationToken cancellationToken)
    {
        if (_rooms.TryGetValue(channelId, out var existing)) return existing;
        using var turn = await ChangeGate.EnterAsync(channelId, cancellationToken);
        if (_rooms.TryGetValue(channelId, out existing)) return existing;
        // Inside the channel's turn: a line-up change either ran before (and the directory already has its line-up)
        // or waits until this room exists and then updates it, so the room never opens on an older line-up.
        var info = await directory.FindChannelAsync(channelId, cancellationToken);
        if (info is null) return null;
        var stock = await ledger.ApplyLineupAsync(channelId, info.Lineup, resetStock: false, cancellationToken);
        var sale = await ledger.FindActiveFlashSaleAsync(channelId, time.GetUtcNow(), cancellationToken);
        var room = new LiveRoom(info.Id, info.Title, info.Live, info.Lineup, stock, sale, time.GetUtcNow(), options.Value.RecentMessages, info.NextShowAt, options.Value.ResumeEvents);
        room.SeedLikes(await likes.TotalAsync(channelId, cancellationToken));
        room.SeedDraw(await draws.LatestDrawAsync(channelId, cancellationToken) is { } draw ? DrawViews.Of(draw) : null);
        // Registered before the shared state is read: an event published meanwhile is kept by the room and applied on
        // top of the state unless the state already has it (by seq), so none falls between the read and the opening.
        room.AddCoupons(await coupons.FindActiveCouponsAsync(channelId, time.GetUtcNow(), cancellationToken), time.GetUtcNow());
        _opening[channelId] = room;
        try
        {
            var state = await bus.LoadAsync(channelId, cancellationToken);
            room.CompleteLoad(state, bus.NodeId, time.GetUtcNow());
            _rooms[channelId] = room;
        }
        finally
        {
            _opening.TryRemove(channelId, out _);
        }
        RoomOpened?.Invoke(room);
        return room;
    }

    /// <summary>One turn at a time per channel for what rewrites a room's line-up: opening the room and line-up changes.</summary>
    public ChannelTurns ChangeGate { get; } = new();

    public bool Remove(string channelId, out LiveRoom? room) => _rooms.TryRemove(channelId, out room);
}
