using System.Collections.Concurrent;
using System.Globalization;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using Relay.Chat.Contracts;
using Relay.Chat.Rooms;
using Relay.Server.Diagnostics;
using StackExchange.Redis;

namespace Relay.Server.Cluster.Rooms;

/// <summary>
/// The room bus of a cluster (docs/scale-out/rooms.md). A publication is one Lua script: INCR the room's seq, change what
/// Redis keeps for late joiners (pin, sale, recent messages, mutes, slow mode), PUBLISH on <see cref="RoomKeys.Events"/>;
/// so the order on the wire is the seq order. Every node subscribes once, at start, and hands the messages to its rooms
/// one at a time in that order; a node's own events come back the same way, and a publisher waits for its own event to be
/// applied here, so a caller reads its own write as on one node. Viewer counts are kept per node with an expiry, renewed
/// every half lease: a node that dies drops out of the sum within about two leases.
/// </summary>
internal sealed class RedisRoomBus : IRoomBus, IAsyncDisposable
{
    /// <summary>How long a publisher waits for its own event to come back before it goes on (Redis lost it, or is slow).</summary>
    private static readonly TimeSpan OwnEventWait = TimeSpan.FromSeconds(5);

    private readonly IConnectionMultiplexer _redis;
    private readonly ILogger<RedisRoomBus> _logger;
    private readonly TimeProvider _time;
    private readonly TimeSpan _refresh;
    private readonly TimeSpan _viewerTtl;
    private readonly ConcurrentDictionary<string, TaskCompletionSource> _ownEvents = new(StringComparer.Ordinal);
    /// <summary>This node's last published viewer count per room, renewed by the refresh loop.</summary>
    private readonly ConcurrentDictionary<string, int> _localViewers = new(StringComparer.Ordinal);
    /// <summary>The last seq received per room: a jump means messages were lost (Redis pub/sub does not keep them).</summary>
    private readonly ConcurrentDictionary<string, long> _lastSeq = new(StringComparer.Ordinal);
    private readonly CancellationTokenSource _stopping = new();
    /// <summary>One hand-over at a time: the subscription's messages and the resyncs after a reconnect.</summary>
    private readonly SemaphoreSlim _receiveGate = new(1, 1);
    private Func<RoomEvent, Task>? _receiver;
    private ChannelMessageQueue? _queue;
    private Task? _refreshLoop;

    public RedisRoomBus(IConnectionMultiplexer redis, ClusterNode node, TimeProvider time, ILogger<RedisRoomBus> logger)
    {
        (_redis, _time, _logger) = (redis, time, logger);
        NodeId = node.Id;
        _refresh = TimeSpan.FromMilliseconds(Math.Max(1000, node.Lease.TotalMilliseconds / 2));
        _viewerTtl = node.Lease * 2;
    }

    public string NodeId { get; }

    public Task StartAsync(Func<RoomEvent, Task> receiver, CancellationToken cancellationToken)
    {
        _receiver = receiver;
        // Messages published while this node was cut off are lost: every room it knows is read again when it is back.
        _redis.ConnectionRestored += (_, e) =>
        {
            if (e.ConnectionType == ConnectionType.Subscription) _ = ResyncAllAsync();
        };
        // Never holds the start: a Redis that is down makes the node unready, and the subscription is made when it is back.
        _ = SubscribeAsync();
        _refreshLoop = RefreshViewersAsync();
        return Task.CompletedTask;
    }

    public async Task PublishAsync(RoomEvent roomEvent, CancellationToken cancellationToken)
    {
        roomEvent.Origin = NodeId;
        var db = _redis.GetDatabase();
        var channelId = roomEvent.ChannelId;
        if (roomEvent.Kind == RoomEventKind.Viewers)
        {
            _localViewers[channelId] = roomEvent.LocalViewers;
            await PublishViewersAsync(db, channelId, roomEvent.LocalViewers, roomEvent);
            return;
        }

        var id = roomEvent.Id = Guid.NewGuid().ToString("N");
        var own = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        _ownEvents[id] = own;
        try
        {
            var json = JsonSerializer.Serialize(roomEvent, RoomEventJsonContext.Default.RoomEvent);
            RedisValue[] args = [(RedisValue)RoomKeys.Events.ToString(), json, roomEvent.Quiet ? "1" : "0", (long)RoomKeys.Ttl.TotalMilliseconds, .. Operation(roomEvent)];
            await db.ScriptEvaluateAsync(RoomScripts.Publish,
                [RoomKeys.Seq(channelId), RoomKeys.State(channelId), RoomKeys.Recent(channelId), RoomKeys.Mutes(channelId)], args);
            try
            {
                await own.Task.WaitAsync(OwnEventWait, cancellationToken);
            }
            catch (TimeoutException)
            {
                ClusterRoomsLog.OwnEventLate(_logger, roomEvent.Kind.ToString(), channelId);
            }
        }
        finally
        {
            _ownEvents.TryRemove(id, out _);
        }
    }

    public async Task<RoomState?> LoadAsync(string channelId, CancellationToken cancellationToken)
    {
        var result = await _redis.GetDatabase().ScriptEvaluateAsync(RoomScripts.Load,
            [RoomKeys.Seq(channelId), RoomKeys.State(channelId), RoomKeys.Recent(channelId), RoomKeys.Mutes(channelId), RoomKeys.Viewers(channelId)]);
        var parts = (RedisResult[])result!;
        var state = new RoomState { Seq = long.Parse((string)parts[0]!, CultureInfo.InvariantCulture) };
        var fields = Pairs((RedisResult[])parts[1]!);
        if (fields.TryGetValue("pin", out var pin)) state.PinnedSku = pin;
        if (fields.TryGetValue("sale", out var sale)) state.FlashSale = JsonSerializer.Deserialize(sale, RoomEventJsonContext.Default.FlashSaleRecord);
        if (fields.TryGetValue("slow", out var slow)) state.SlowModeSeconds = int.Parse(slow, CultureInfo.InvariantCulture);
        var now = _time.GetUtcNow();
        foreach (var (field, json) in fields)
        {
            if (!field.StartsWith(RoomKeys.CouponField, StringComparison.Ordinal)) continue;
            var coupon = JsonSerializer.Deserialize(json, RoomEventJsonContext.Default.CouponRecord)!;
            if (coupon.EndsAt <= now) continue;
            if (fields.TryGetValue(RoomKeys.CouponLeftField + coupon.CouponId, out var left) && int.Parse(left, CultureInfo.InvariantCulture) is var n && n < coupon.Remaining)
                coupon = coupon with { Remaining = n };
            state.Coupons.Add(coupon);
        }
        if (fields.TryGetValue("draw", out var draw) && JsonSerializer.Deserialize(draw, RoomEventJsonContext.Default.DrawView) is { } shared)
        {
            // The count announced since the draw started (a separate field: each update need not rewrite the draw).
            if (fields.TryGetValue("drawEntrants", out var counted) && counted.Split(' ') is [var drawId, var count] && drawId == shared.DrawId)
                shared.Entrants = Math.Max(shared.Entrants, int.Parse(count, CultureInfo.InvariantCulture));
            state.Draw = shared;
        }
        foreach (var entry in (RedisResult[])parts[2]!)
        {
            var text = (string)entry!;
            var space = text.IndexOf(' ');
            var message = JsonSerializer.Deserialize(text.AsSpan(space + 1), RoomEventJsonContext.Default.ChatMessageView)!;
            message.Seq = long.Parse(text.AsSpan(0, space), CultureInfo.InvariantCulture);
            state.RecentMessages.Add(message);
        }
        foreach (var (key, until) in Pairs((RedisResult[])parts[3]!))
            state.Mutes[key] = DateTimeOffset.FromUnixTimeMilliseconds(long.Parse(until, CultureInfo.InvariantCulture));
        var viewers = ViewerEntries.Live(Pairs((RedisResult[])parts[4]!), _time.GetUtcNow().ToUnixTimeMilliseconds());
        state.OtherViewers = viewers.Where(v => v.Key != NodeId).Sum(v => v.Value);
        return state;
    }

    /// <summary>The script's op and its arguments for what Redis keeps of <paramref name="e"/>.</summary>
    private RedisValue[] Operation(RoomEvent e) => e.Kind switch
    {
        RoomEventKind.Message when e.Message is { } m =>
            ["message", JsonSerializer.Serialize(m, RoomEventJsonContext.Default.ChatMessageView), e.RecentLimit],
        // Message ids are ours (msg_ + hex), so the JSON of the id is a safe needle in the stored JSON.
        RoomEventKind.MessageDeleted => ["deleted", "\"id\":" + JsonSerializer.Serialize(e.MessageId ?? "", RoomEventJsonContext.Default.String)],
        RoomEventKind.Pinned when e.Product is { } p => ["pin", p.Sku],
        RoomEventKind.Unpinned => ["unpin"],
        RoomEventKind.FlashSaleStarted when e.Sale is { } s =>
            ["sale", JsonSerializer.Serialize(s, RoomEventJsonContext.Default.FlashSaleRecord), s.SaleId],
        RoomEventKind.FlashSaleEnded => ["saleEnded", e.SaleId ?? ""],
        RoomEventKind.Mute => ["mute", e.MuteKey ?? "", e.MutedUntil is { } until ? until.ToUnixTimeMilliseconds() : "",
            _time.GetUtcNow().ToUnixTimeMilliseconds()],
        RoomEventKind.SlowMode => ["slow", e.SlowModeSeconds],
        RoomEventKind.CouponDropped when e.Coupon is { } c =>
            ["coupon", JsonSerializer.Serialize(c, RoomEventJsonContext.Default.CouponRecord), c.CouponId, c.EndsAt.ToUnixTimeMilliseconds(),
                _time.GetUtcNow().ToUnixTimeMilliseconds()],
        RoomEventKind.CouponCount when e.CouponId is { } id => ["couponLeft", id, e.CouponRemaining],
        RoomEventKind.DrawStarted or RoomEventKind.DrawEnded when e.Draw is { } d => ["draw", JsonSerializer.Serialize(d, RoomEventJsonContext.Default.DrawView)],
        RoomEventKind.DrawEntrants => ["drawEntrants", (e.DrawId ?? "") + " " + e.DrawEntrants.ToString(CultureInfo.InvariantCulture)],
        _ => ["none"],
    };

    private async Task PublishViewersAsync(IDatabase db, string channelId, int count, RoomEvent? roomEvent = null)
    {
        roomEvent ??= new RoomEvent { ChannelId = channelId, Kind = RoomEventKind.Viewers, LocalViewers = count, Origin = NodeId };
        if (roomEvent.At == default) roomEvent.At = _time.GetUtcNow();
        var json = JsonSerializer.Serialize(roomEvent, RoomEventJsonContext.Default.RoomEvent);
        // The script adds the sum and the counts per node: the JSON goes without its closing brace.
        var open = json[..json.LastIndexOf('}')];
        await db.ScriptEvaluateAsync(RoomScripts.Viewers, [RoomKeys.Seq(channelId), RoomKeys.Viewers(channelId)],
            [(RedisValue)RoomKeys.Events.ToString(), NodeId, count, _time.GetUtcNow().ToUnixTimeMilliseconds(),
                (long)_viewerTtl.TotalMilliseconds, (long)RoomKeys.Ttl.TotalMilliseconds, open]);
        if (count == 0) _localViewers.TryRemove(new KeyValuePair<string, int>(channelId, 0));
    }

    private async Task SubscribeAsync()
    {
        var failures = 0;
        while (!_stopping.IsCancellationRequested)
        {
            try
            {
                _queue = await _redis.GetSubscriber().SubscribeAsync(RoomKeys.Events);
                // One message at a time, in the order Redis sent them: the seq order of every room.
                _queue.OnMessage(ReceiveAsync);
                ClusterRoomsLog.Subscribed(_logger, RoomKeys.Events.ToString());
                return;
            }
            catch (Exception ex) when (!_stopping.IsCancellationRequested)
            {
                if (failures++ == 0) ClusterRoomsLog.SubscribeFailed(_logger, ex);
                await Task.Delay(TimeSpan.FromSeconds(1), _time, _stopping.Token).ContinueWith(_ => { }, TaskScheduler.Default);
            }
        }
    }

    private async Task ReceiveAsync(ChannelMessage message)
    {
        RoomEvent? roomEvent = null;
        try
        {
            var text = (string)message.Message!;
            var space = text.IndexOf(' ');
            roomEvent = JsonSerializer.Deserialize(text.AsSpan(space + 1), RoomEventJsonContext.Default.RoomEvent)!;
            roomEvent.Seq = long.Parse(text.AsSpan(0, space), CultureInfo.InvariantCulture);
            var handOver = roomEvent;
            if (roomEvent.Seq > 0)
            {
                var last = _lastSeq.GetValueOrDefault(roomEvent.ChannelId);
                if (last > 0 && roomEvent.Seq > last + 1)
                {
                    // Events between were lost: the room reads its state again, which includes this event too.
                    ClusterRoomsLog.EventsMissed(_logger, roomEvent.ChannelId, last, roomEvent.Seq);
                    handOver = new RoomEvent { ChannelId = roomEvent.ChannelId, Kind = RoomEventKind.Resync };
                }
                _lastSeq[roomEvent.ChannelId] = roomEvent.Seq;
            }
            await HandOverAsync(handOver);
        }
        catch (Exception ex)
        {
            ClusterRoomsLog.ReceiveFailed(_logger, roomEvent?.ChannelId ?? "?", ex);
        }
        finally
        {
            if (roomEvent?.Id is { } id && _ownEvents.TryGetValue(id, out var own)) own.TrySetResult();
        }
    }

    private async Task HandOverAsync(RoomEvent roomEvent)
    {
        if (_receiver is not { } receiver) return;
        await _receiveGate.WaitAsync();
        try
        {
            await receiver(roomEvent);
        }
        finally
        {
            _receiveGate.Release();
        }
    }

    private async Task ResyncAllAsync()
    {
        foreach (var channelId in _lastSeq.Keys)
        {
            try
            {
                await HandOverAsync(new RoomEvent { ChannelId = channelId, Kind = RoomEventKind.Resync });
            }
            catch (Exception ex)
            {
                ClusterRoomsLog.ReceiveFailed(_logger, channelId, ex);
            }
        }
    }

    /// <summary>Renews this node's viewer counts before they expire; the same call drops dead nodes' counts from the sum
    /// (and publishes the new sum when that changed it).</summary>
    private async Task RefreshViewersAsync()
    {
        using var timer = new PeriodicTimer(_refresh, _time);
        try
        {
            while (await timer.WaitForNextTickAsync(_stopping.Token))
            {
                foreach (var (channelId, count) in _localViewers)
                {
                    try
                    {
                        await PublishViewersAsync(_redis.GetDatabase(), channelId, count);
                    }
                    catch (Exception ex) when (ex is RedisException or TimeoutException)
                    {
                        ClusterRoomsLog.ViewerRefreshFailed(_logger, channelId, ex);
                        break;
                    }
                }
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    private static Dictionary<string, string> Pairs(RedisResult[] flat)
    {
        var pairs = new Dictionary<string, string>(StringComparer.Ordinal);
        for (var i = 0; i + 1 < flat.Length; i += 2) pairs[(string)flat[i]!] = (string)flat[i + 1]!;
        return pairs;
    }

    /// <summary>On a clean stop this node's viewers leave the sums at once (a killed node's expire).</summary>
    public async ValueTask DisposeAsync()
    {
        _stopping.Cancel();
        if (_refreshLoop is not null) await _refreshLoop;
        try
        {
            if (_redis.IsConnected)
                foreach (var channelId in _localViewers.Keys)
                    await PublishViewersAsync(_redis.GetDatabase(), channelId, 0).WaitAsync(TimeSpan.FromSeconds(1));
            if (_queue is not null) await _queue.UnsubscribeAsync();
        }
        catch (Exception ex) when (ex is RedisException or TimeoutException or ObjectDisposedException)
        {
            // Stopping anyway: the counts expire by themselves.
        }
        _stopping.Dispose();
    }
}
