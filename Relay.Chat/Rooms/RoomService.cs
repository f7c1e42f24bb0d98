using Relay.Chat.Channels;
using Relay.Chat.Contracts;
using Relay.Chat.Diagnostics;
using Relay.Chat.Identity;
using Relay.Chat.Purchases;

namespace Relay.Chat.Rooms;

/// <summary>Joining and leaving rooms, and the server's side door (<see cref="ILiveRoomControl"/>).</summary>
internal sealed class RoomService(
    LiveRoomRegistry registry,
    ParticipantResolver resolver,
    RoomBroadcaster broadcaster,
    ViewerCountPublisher viewers,
    StockPublisher stock,
    IStockLedger ledger,
    MerchandisingService merchandising,
    IChannelCommerceArchive archive,
    TimeProvider time,
    DisplayIds displayIds) : ILiveRoomControl
{
    internal const int MaxIdLength = 128;

    public async Task<JoinSnapshot> JoinAsync(LiveSession session, string? channelId, JoinOptions? options, CancellationToken cancellationToken)
    {
        if (string.IsNullOrWhiteSpace(channelId) || channelId.Length > MaxIdLength)
            throw Refusal.Create(Refusal.Invalid, "channelId is required (at most 128 characters)");
        var room = await registry.GetOrOpenAsync(channelId, cancellationToken)
            ?? throw Refusal.Create(Refusal.NotFound, "no such channel");
        string[] hostNames;
        lock (room.Gate) hostNames = [.. room.HostNames];
        var participant = await resolver.ResolveAsync(session, channelId, options?.DisplayName, hostNames, cancellationToken)
            ?? throw Refusal.Create(Refusal.Unauthorized, "the access token is not valid for this channel");

        await LeaveAsync(session, cancellationToken);
        session.ChannelId = channelId;
        session.Participant = participant;
        var displayId = session.DisplayId = displayIds.For(channelId, participant);
        var referrer = TextSanitizer.Truncate(TextSanitizer.Clean(options?.Referrer, 200), 200);
        session.Referrer = referrer.Length > 0 ? referrer : null;

        await broadcaster.Groups.AddToGroupAsync(session.ConnectionId, RoomBroadcaster.RoomGroup(channelId), cancellationToken);
        if (!participant.IsModerator)
            await broadcaster.Groups.AddToGroupAsync(session.ConnectionId, RoomBroadcaster.BuyerGroup(channelId, participant.UserId), cancellationToken);

        JoinSnapshot snapshot;
        lock (room.Gate)
        {
            room.Connections.Add(session.ConnectionId);
            if (participant.IsModerator && room.HostNames.Count < LiveRoom.MaxHostNames && DisplayNames.Skeleton(participant.DisplayName) is { Length: > 0 } hostName)
                room.HostNames.Add(hostName);
            if (participant.ConnectionScoped && session.ClientAddressHash is { } address)
                room.ConnectionGuestAddresses[displayId] = address;
            var now = time.GetUtcNow();
            var pinned = room.PinnedSku is { } sku ? room.FindProduct(sku) : null;
            snapshot = new JoinSnapshot
            {
                ChannelId = room.ChannelId,
                Title = room.Title,
                Live = room.Live,
                Viewers = room.Connections.Count,
                Pinned = pinned is null ? null : room.ToView(pinned, now),
                Lineup = [.. room.Lineup.Select(p => room.ToView(p, now))],
                FlashSale = room.IsFlashSaleActive(now) ? room.FlashSaleView(now) : null,
                RecentMessages = [.. room.Recent],
                SlowModeSeconds = room.SlowModeSeconds,
                You = new ParticipantView { UserId = displayId, DisplayName = participant.DisplayName, Role = participant.RoleName },
            };
        }
        viewers.Changed(room);
        return snapshot;
    }

    public async Task LeaveAsync(LiveSession session, CancellationToken cancellationToken)
    {
        if (session.ChannelId is not { } channelId) return;
        var (participant, displayId) = (session.Participant, session.DisplayId);
        session.ChannelId = null;
        session.Participant = null;
        session.DisplayId = null;
        if (registry.Find(channelId) is { } room)
        {
            bool removed;
            lock (room.Gate) removed = Forget(room, session, participant, displayId);
            if (removed) viewers.Changed(room);
        }
        await broadcaster.Groups.RemoveFromGroupAsync(session.ConnectionId, RoomBroadcaster.RoomGroup(channelId), cancellationToken);
        if (participant is { IsModerator: false })
            await broadcaster.Groups.RemoveFromGroupAsync(session.ConnectionId, RoomBroadcaster.BuyerGroup(channelId, participant.UserId), cancellationToken);
    }

    /// <summary>Called when the connection is gone: group membership went with it.</summary>
    public void Disconnected(LiveSession session)
    {
        if (session.ChannelId is not { } channelId || registry.Find(channelId) is not { } room) return;
        bool removed;
        lock (room.Gate) removed = Forget(room, session, session.Participant, session.DisplayId);
        if (removed) viewers.Changed(room);
    }

    /// <summary>Under the room's gate. A guest without a guest token exists only on this connection, so its address
    /// entry goes with it; a mute already recorded for the address stays.</summary>
    private static bool Forget(LiveRoom room, LiveSession session, Participant? participant, string? displayId)
    {
        if (participant is { ConnectionScoped: true } && displayId is not null) room.ConnectionGuestAddresses.Remove(displayId);
        return room.Connections.Remove(session.ConnectionId);
    }

    public async Task SetLiveAsync(string channelId, bool live, CancellationToken cancellationToken)
    {
        if (registry.Find(channelId) is { } room)
            lock (room.Gate) room.Live = live;
        await broadcaster.ToRoomAsync(channelId, "status", c => c.status(new StatusEvent { Live = live }));
    }

    public async Task LineupChangedAsync(string channelId, IReadOnlyList<LineupItem> lineup, bool resetStock, CancellationToken cancellationToken)
    {
        // One change at a time per channel, and never interleaved with the room opening: the ledger and the room
        // always end on the same line-up (the server calls in the order it stored them).
        using var turn = await registry.ChangeGate.EnterAsync(channelId, cancellationToken);
        var stockNow = await ledger.ApplyLineupAsync(channelId, lineup, resetStock, cancellationToken);
        if (registry.Find(channelId) is not { } room) return;
        bool unpin, endSale;
        string[] skus;
        lock (room.Gate)
        {
            room.Lineup = [.. lineup];
            room.ReplaceLineupStock(stockNow.Remaining, stockNow.Sequence, time.GetUtcNow());
            unpin = room.PinnedSku is { } pinned && room.FindProduct(pinned) is null;
            endSale = room.FlashSale is { } sale && room.FindProduct(sale.Sku) is null;
            skus = [.. lineup.Select(p => p.Sku)];
        }
        if (unpin) await merchandising.UnpinAsync(room, cancellationToken);
        if (endSale) await merchandising.EndFlashSaleAsync(room, null, cancellationToken);
        foreach (var sku in skus) stock.MarkDirty(room, sku);
    }

    public async Task ChannelDeletedAsync(string channelId, CancellationToken cancellationToken)
    {
        string[] connections = [];
        if (registry.Remove(channelId, out var room) && room is not null)
            lock (room.Gate)
            {
                room.FlashSaleTimer?.Dispose();
                connections = [.. room.Connections];
            }
        await ledger.EndFlashSaleAsync(channelId, null, cancellationToken);
        // A channel created again under this id must not inherit these orders, keys or stock counts (review M11).
        await archive.ArchiveChannelAsync(channelId, time.GetUtcNow(), cancellationToken);
        await broadcaster.ToRoomAsync(channelId, "status", c => c.status(new StatusEvent { Live = false }));
        // Connections still joined would otherwise hear a room opened later under the same id.
        foreach (var connection in connections)
            await broadcaster.Groups.RemoveFromGroupAsync(connection, RoomBroadcaster.RoomGroup(channelId), cancellationToken);
    }
}
