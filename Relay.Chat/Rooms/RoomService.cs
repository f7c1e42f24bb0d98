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
        var participant = await resolver.ResolveAsync(session.AccessToken, channelId, options?.DisplayName, cancellationToken)
            ?? throw Refusal.Create(Refusal.Unauthorized, "the access token is not valid for this channel");

        await LeaveAsync(session, cancellationToken);
        session.ChannelId = channelId;
        session.Participant = participant;
        var referrer = TextSanitizer.Truncate(TextSanitizer.Clean(options?.Referrer, 200), 200);
        session.Referrer = referrer.Length > 0 ? referrer : null;

        await broadcaster.Groups.AddToGroupAsync(session.ConnectionId, RoomBroadcaster.RoomGroup(channelId), cancellationToken);
        if (!participant.IsModerator)
            await broadcaster.Groups.AddToGroupAsync(session.ConnectionId, RoomBroadcaster.BuyerGroup(channelId, participant.UserId), cancellationToken);

        JoinSnapshot snapshot;
        lock (room.Gate)
        {
            room.Connections.Add(session.ConnectionId);
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
                You = new ParticipantView { UserId = displayIds.For(room.ChannelId, participant), DisplayName = participant.DisplayName, Role = participant.RoleName },
            };
        }
        viewers.Changed(room);
        return snapshot;
    }

    public async Task LeaveAsync(LiveSession session, CancellationToken cancellationToken)
    {
        if (session.ChannelId is not { } channelId) return;
        var participant = session.Participant;
        session.ChannelId = null;
        session.Participant = null;
        if (registry.Find(channelId) is { } room)
        {
            bool removed;
            lock (room.Gate) removed = room.Connections.Remove(session.ConnectionId);
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
        lock (room.Gate) removed = room.Connections.Remove(session.ConnectionId);
        if (removed) viewers.Changed(room);
    }

    public async Task SetLiveAsync(string channelId, bool live, CancellationToken cancellationToken)
    {
        if (registry.Find(channelId) is { } room)
            lock (room.Gate) room.Live = live;
        await broadcaster.ToRoomAsync(channelId, "status", c => c.status(new StatusEvent { Live = live }));
    }

    public async Task LineupChangedAsync(string channelId, IReadOnlyList<LineupItem> lineup, CancellationToken cancellationToken)
    {
        var remaining = await ledger.ApplyLineupAsync(channelId, lineup, reset: true, cancellationToken);
        if (registry.Find(channelId) is not { } room) return;
        bool unpin, endSale;
        string[] skus;
        lock (room.Gate)
        {
            room.Lineup = [.. lineup];
            room.LineupRemaining = new Dictionary<string, int>(remaining, StringComparer.Ordinal);
            room.ResetStockSequence();
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
        if (registry.Remove(channelId, out var room) && room is not null)
            lock (room.Gate) room.FlashSaleTimer?.Dispose();
        await ledger.EndFlashSaleAsync(channelId, null, cancellationToken);
        await broadcaster.ToRoomAsync(channelId, "status", c => c.status(new StatusEvent { Live = false }));
    }
}
