using Relay.Chat.Channels;
using Relay.Chat.Contracts;
using Relay.Chat.Ledger;

namespace Relay.Chat.Rooms;

/// <summary>In-memory state of one channel's room. Every field is guarded by a gate no other type can take: callers
/// say what they want done (admit a connection, record a message, apply a ledger count) and the room keeps its own
/// invariants. The durable truth for stock lives in the ledger; the counts here are its latest known values.</summary>
internal sealed class LiveRoom
{
    private readonly Lock _gate = new();

    /// <summary>A room opened from the ledger. Until <see cref="CompleteLoad"/> it only collects the events it is handed
    /// (<see cref="Apply"/>): they are applied on top of the shared state it loads, never lost between the read and the
    /// opening.</summary>
    public LiveRoom(string channelId, string title, bool live, IReadOnlyList<LineupItem> lineup, LineupStock stock, FlashSaleRecord? sale, DateTimeOffset now,
        int recentLimit = 50, DateTimeOffset? nextShowAt = null, int replayLimit = 512)
    {
        ChannelId = channelId;
        _replayLimit = replayLimit;
        _nextShowAt = nextShowAt;
        _recentLimit = recentLimit;
        _title = title;
        _live = live;
        _lineup = [.. lineup];
        _flashSale = sale;
        _flashRemaining = sale?.Remaining ?? 0;
        ReplaceStock(stock, now);
    }

    public string ChannelId { get; }

    private readonly string _title;
    private bool _live;
    private DateTimeOffset? _nextShowAt;

    private List<LineupItem> _lineup;
    private Dictionary<string, int> _lineupRemaining = new(StringComparer.Ordinal);
    private readonly Dictionary<string, long> _stockSequence = new(StringComparer.Ordinal);
    // When the ledger last told this room a count of the sku: the sold-out fast path only trusts a recent one.
    private readonly Dictionary<string, DateTimeOffset> _stockKnownAt = new(StringComparer.Ordinal);
    /// <summary>Bumped when the line-up stock is replaced, so a count read before the reset is never applied after it.</summary>
    private int _stockEpoch;

    private string? _pinnedSku;
    private FlashSaleRecord? _flashSale;
    private int _flashRemaining;
    private ITimer? _flashSaleTimer;

    private readonly LinkedList<ChatMessageView> _recent = new();
    // Message ids a host may still delete: a longer window than the snapshot buffer.
    private readonly Queue<string> _knownMessageIds = new();
    private readonly HashSet<string> _knownMessageIdSet = new(StringComparer.Ordinal);
    private const int DeletableWindow = 1000;
    /// <summary>Keyed by display id (<see cref="Identity.DisplayIds"/>), or by <see cref="MutedAddressKey"/> for guests without a guest token.</summary>
    private readonly Dictionary<string, DateTimeOffset> _mutedUntil = new(StringComparer.Ordinal);
    private int _slowModeSeconds;

    /// <summary>Non-moderator messages of the whole room (<c>Chat:RoomMessagesPerSecond</c>); made at the first one.</summary>
    private TokenBucket? _messageBudget;

    /// <summary>Address hash of each guest in the room that has no guest token (display id -> hash), so a mute of that
    /// id also holds for the address: its next connection has a new id.</summary>
    private readonly Dictionary<string, string> _connectionGuestAddresses = new(StringComparer.Ordinal);

    private static string MutedAddressKey(string addressHash) => "address:" + addressHash;

    /// <summary>For each muted token-less guest (display id), the address key muted with it: the guest is usually gone (and out
    /// of <see cref="_connectionGuestAddresses"/>) by the time a host lifts the mute. As small as the set of mutes.</summary>
    private readonly Dictionary<string, string> _mutedAddressOf = new(StringComparer.Ordinal);

    /// <summary>Skeletons of the names hosts joined this room with; bounded, a host rarely has more than one.</summary>
    private readonly HashSet<string> _hostNames = new(StringComparer.Ordinal);
    private const int MaxHostNames = 16;

    private readonly HashSet<string> _connections = new(StringComparer.Ordinal);

    /// <summary>The viewer (not host) behind each connection of this node, for the shows' unique viewers.</summary>
    private readonly Dictionary<string, string> _viewerIds = new(StringComparer.Ordinal);
    private bool _viewerBroadcastScheduled;

    private readonly HashSet<string> _dirtyStock = new(StringComparer.Ordinal);
    private bool _stockFlushRunning;

    /// <summary>Coupons dropped in the room, with the lowest count known (claims only ever take). Ended ones stay a while so
    /// a late claim hears `expired`, then go (<see cref="ExpiredCouponKept"/>).</summary>
    private readonly Dictionary<string, CouponRecord> _coupons = new(StringComparer.Ordinal);
    private readonly HashSet<string> _dirtyCoupons = new(StringComparer.Ordinal);
    private bool _couponFlushRunning;
    private static readonly TimeSpan ExpiredCouponKept = TimeSpan.FromHours(1);

    private readonly int _recentLimit;
    /// <summary>The seq of the last event applied (contract v2): events at or below it are already in the room.</summary>
    private long _seq;
    /// <summary>Viewers connected to the other nodes, as the last `viewers` event counted them.</summary>
    private int _otherViewers;
    private bool _loading = true;
    /// <summary>The channel's like total: the highest announced (announcements of two nodes may arrive in either order).</summary>
    private long _likes;
    /// <summary>The room's latest draw (running, or ended with its result).</summary>
    private DrawView? _draw;
    /// <summary>Display ids that sent a message since the running draw started (its <c>message</c> requirement).</summary>
    private readonly HashSet<string> _drawMessageSenders = new(StringComparer.Ordinal);
    private List<RoomEvent>? _pending;

    /// <summary>The last events viewers were sent, oldest first, for <c>Resume</c>: a client that missed only these gets them
    /// instead of a whole snapshot. Every event with a seq above <see cref="_replayFloor"/> that viewers saw is in it.</summary>
    private readonly Queue<RoomEventView> _replay = new();
    private readonly int _replayLimit;
    /// <summary>The seq at or below which this room cannot say what was sent: where it was loaded or resynced, or the oldest
    /// kept event dropped out.</summary>
    private long _replayFloor;

    /// <summary>The name and referrer each identity last joined with (display id -> ...), so a client that reconnects and
    /// resumes keeps them; bounded, the oldest go first.</summary>
    private readonly Dictionary<string, (string? Name, string? Referrer)> _joinedAs = new(StringComparer.Ordinal);
    private readonly Queue<string> _joinedAsOrder = new();
    private const int MaxJoinedAs = 20_000;

    // ---- Connections ----

    /// <summary>When the next show starts, as the room knows it now (null when none is announced).</summary>
    public DateTimeOffset? NextShowAt()
    {
        lock (_gate) return _nextShowAt;
    }

    public string[] HostNameSkeletons()
    {
        lock (_gate) return [.. _hostNames];
    }

    /// <summary>Adds the connection and answers what it sees on joining. <paramref name="hostNameSkeleton"/> is a moderator's
    /// name skeleton (kept so guests cannot pose as the host); <paramref name="guestAddressHash"/> is the address of a guest
    /// without a guest token, so a mute of <paramref name="displayId"/> also holds for its address.</summary>
    public JoinSnapshot Admit(string connectionId, string displayId, string? hostNameSkeleton, string? guestAddressHash, DateTimeOffset now, bool viewer = false)
    {
        lock (_gate)
        {
            _connections.Add(connectionId);
            if (viewer) _viewerIds[connectionId] = displayId;
            if (hostNameSkeleton is not null && _hostNames.Count < MaxHostNames) _hostNames.Add(hostNameSkeleton);
            if (guestAddressHash is not null) _connectionGuestAddresses[displayId] = guestAddressHash;
            var pinned = _pinnedSku is { } sku ? FindProductLocked(sku) : null;
            return new JoinSnapshot
            {
                ChannelId = ChannelId,
                Title = _title,
                Live = _live,
                Viewers = _connections.Count + _otherViewers,
                Pinned = pinned is null ? null : ToView(pinned, now),
                Lineup = [.. _lineup.Select(p => ToView(p, now))],
                FlashSale = IsFlashSaleActive(now) ? FlashSaleViewLocked(now) : null,
                RecentMessages = [.. _recent],
                SlowModeSeconds = _slowModeSeconds,
                NextShowAt = _nextShowAt?.UtcDateTime,
                Seq = _seq,
                Coupons = [.. _coupons.Values.Where(c => c.EndsAt > now).OrderBy(c => c.EndsAt).Select(c => CouponViewOf(c, 0))],
                Likes = _likes,
                Draw = CopyDraw(_draw),
            };
        }
    }

    /// <summary>True if the connection was in the room. A guest without a guest token (<paramref name="connectionScopedDisplayId"/>)
    /// exists only on this connection, so its address entry goes with it; a mute already recorded for the address stays.</summary>
    public bool Remove(string connectionId, string? connectionScopedDisplayId)
    {
        lock (_gate)
        {
            if (connectionScopedDisplayId is not null) _connectionGuestAddresses.Remove(connectionScopedDisplayId);
            _viewerIds.Remove(connectionId);
            return _connections.Remove(connectionId);
        }
    }

    /// <summary>The viewers (not hosts) connected to this node now, each once.</summary>
    public string[] ViewerIds()
    {
        lock (_gate)
        {
            return [.. _viewerIds.Values.Distinct(StringComparer.Ordinal)];
        }
    }

    /// <summary>The channel is gone: the auto-end timer stops, and the connections still joined are returned.</summary>
    public string[] Close()
    {
        lock (_gate)
        {
            _flashSaleTimer?.Dispose();
            return [.. _connections];
        }
    }

    public void SetLive(bool live)
    {
        lock (_gate) _live = live;
    }

    public bool Live
    {
        get { lock (_gate) return _live; }
    }

    /// <summary>True when the caller must publish the viewer count later; false when a publication is already scheduled.</summary>
    public bool ScheduleViewerBroadcast()
    {
        lock (_gate)
        {
            if (_viewerBroadcastScheduled) return false;
            return _viewerBroadcastScheduled = true;
        }
    }

    /// <summary>The count for the scheduled publication; the next change schedules a new one.</summary>
    public int TakeViewerCount()
    {
        lock (_gate)
        {
            _viewerBroadcastScheduled = false;
            return _connections.Count;
        }
    }

    // ---- Chat and moderation ----

    /// <summary>How long <paramref name="key"/> (a display id, or with <paramref name="isAddress"/> an address hash) is still
    /// muted; null when it is not. An expired mute is dropped on the way.</summary>
    public TimeSpan? MutedFor(string key, bool isAddress, DateTimeOffset now)
    {
        if (isAddress) key = MutedAddressKey(key);
        lock (_gate)
        {
            if (!_mutedUntil.TryGetValue(key, out var until)) return null;
            if (until > now) return until - now;
            _mutedUntil.Remove(key);
            return null;
        }
    }

    /// <summary>When a sender whose last message was at <paramref name="lastMessageAt"/> may send again; null when now.</summary>
    public DateTimeOffset? SlowModeNext(DateTimeOffset lastMessageAt, DateTimeOffset now)
    {
        lock (_gate)
            return _slowModeSeconds > 0 && lastMessageAt.AddSeconds(_slowModeSeconds) is var next && next > now ? next : null;
    }

    public void SetSlowMode(int seconds)
    {
        lock (_gate) _slowModeSeconds = seconds;
    }

    public TokenBucket MessageBudget(double burst, double perSecond, DateTimeOffset now)
    {
        lock (_gate) return _messageBudget ??= new TokenBucket(burst, perSecond, now);
    }

    /// <summary>Keeps the message for the join snapshot (the last <paramref name="recentLimit"/>) and as deletable.</summary>
    public void RecordMessage(ChatMessageView message, int recentLimit)
    {
        lock (_gate) RecordMessageLocked(message, recentLimit);
    }

    private void RecordMessageLocked(ChatMessageView message, int recentLimit)
    {
        {
            if (recentLimit > 0)
            {
                _recent.AddLast(message);
                while (_recent.Count > recentLimit) _recent.RemoveFirst();
            }
            _knownMessageIds.Enqueue(message.Id);
            _knownMessageIdSet.Add(message.Id);
            while (_knownMessageIds.Count > DeletableWindow) _knownMessageIdSet.Remove(_knownMessageIds.Dequeue());
        }
    }

    /// <summary>False when the message is unknown or too old to delete.</summary>
    public bool TryDeleteMessage(string messageId)
    {
        lock (_gate) return TryDeleteMessageLocked(messageId);
    }

    /// <summary>True while <paramref name="messageId"/> can still be deleted (it is known and not too old).</summary>
    public bool IsDeletable(string messageId)
    {
        lock (_gate) return _knownMessageIdSet.Contains(messageId);
    }

    private bool TryDeleteMessageLocked(string messageId)
    {
        {
            // Removed from the id set but left in the queue: the queue only bounds the set's size.
            if (!_knownMessageIdSet.Remove(messageId)) return false;
            if (_recent.FirstOrDefault(m => m.Id == messageId) is { } recent) _recent.Remove(recent);
            return true;
        }
    }

    /// <summary>Mutes <paramref name="muteKey"/> (a display id) until <paramref name="until"/>, or lifts its mute when null.
    /// A guest without a guest token gets a new id on its next connection, so its address is muted with it.</summary>
    public void SetMute(string muteKey, DateTimeOffset? until, DateTimeOffset now)
    {
        lock (_gate) SetMuteLocked(muteKey, until, now);
    }

    private void SetMuteLocked(string muteKey, DateTimeOffset? until, DateTimeOffset now)
    {
        {
            var address = _connectionGuestAddresses.TryGetValue(muteKey, out var hash) ? MutedAddressKey(hash)
                : _mutedAddressOf.GetValueOrDefault(muteKey);
            if (address is not null)
            {
                if (until is null) _mutedAddressOf.Remove(muteKey);
                else _mutedAddressOf[muteKey] = address;
            }
            string[] keys = address is null ? [muteKey] : [muteKey, address];
            foreach (var muted in keys)
            {
                if (until is { } end) _mutedUntil[muted] = end;
                else _mutedUntil.Remove(muted);
            }
            // Expired mutes are dropped here too, so the map stays as small as the set of active mutes.
            foreach (var expired in _mutedUntil.Where(m => m.Value <= now).Select(m => m.Key).ToList())
                _mutedUntil.Remove(expired);
            foreach (var gone in _mutedAddressOf.Keys.Where(id => !_mutedUntil.ContainsKey(id)).ToList())
                _mutedAddressOf.Remove(gone);
        }
    }

    // ---- Line-up, pin and flash sale ----

    /// <summary>The currency of the line-up's first product; null when the line-up is empty.</summary>
    public string? LineupCurrency()
    {
        lock (_gate) return _lineup.FirstOrDefault()?.Currency;
    }

    public LineupItem? FindProduct(string sku)
    {
        lock (_gate) return FindProductLocked(sku);
    }

    /// <summary>The pinned product as the room now shows it; null when <paramref name="sku"/> is not in the line-up.</summary>
    public ProductView? Pin(string sku, DateTimeOffset now)
    {
        lock (_gate) return PinLocked(sku, now);
    }

    /// <summary>The line-up as viewers see it now (the bag), with what is left of each.</summary>
    public List<ProductView> LineupViews(DateTimeOffset now)
    {
        lock (_gate) return [.. _lineup.Select(p => ToView(p, now))];
    }

    /// <summary>The product as the room would show it pinned now, without pinning it; null when not in the line-up.</summary>
    public ProductView? PinPreview(string sku, DateTimeOffset now)
    {
        lock (_gate) return FindProductLocked(sku) is { } product ? ToView(product, now) : null;
    }

    public string? PinnedSku
    {
        get { lock (_gate) return _pinnedSku; }
    }

    private ProductView? PinLocked(string sku, DateTimeOffset now)
    {
        if (FindProductLocked(sku) is not { } product) return null;
        _pinnedSku = sku;
        return ToView(product, now);
    }

    /// <summary>False when nothing was pinned.</summary>
    public bool Unpin()
    {
        lock (_gate)
        {
            if (_pinnedSku is null) return false;
            _pinnedSku = null;
            return true;
        }
    }

    /// <summary>Takes a new line-up and the counts the ledger read for it. Its sequence becomes every sku's floor, so a
    /// count read before it (a purchase or a failed order's give-back that committed earlier but reports later) is never
    /// applied after it. Says whether the pin or the flash sale now names a product no longer listed.</summary>
    public (bool PinGone, bool SaleGone) ReplaceLineup(IReadOnlyList<LineupItem> lineup, LineupStock stock, DateTimeOffset now)
    {
        lock (_gate)
        {
            _lineup = [.. lineup];
            ReplaceStock(stock, now);
            return (_pinnedSku is { } pinned && FindProductLocked(pinned) is null,
                _flashSale is { } sale && FindProductLocked(sale.Sku) is null);
        }
    }

    /// <summary>The sale as the room shows it now (running or just ended), or null.</summary>
    public FlashSaleView? FlashSaleView(DateTimeOffset now)
    {
        lock (_gate) return FlashSaleViewLocked(now);
    }

    /// <summary>The running sale's id, or null.</summary>
    public string? FlashSaleId()
    {
        lock (_gate) return _flashSale?.SaleId;
    }

    /// <summary>Replaces any running sale with <paramref name="sale"/>; <paramref name="armAutoEnd"/> makes its end timer.
    /// Returns the sale as the room shows it and the sku of the sale it replaced, if any.</summary>
    public (FlashSaleView View, string? PreviousSku) StartFlashSale(FlashSaleRecord sale, Func<FlashSaleRecord, ITimer>? armAutoEnd, DateTimeOffset now)
    {
        lock (_gate) return StartFlashSaleLocked(sale, armAutoEnd, now);
    }

    private (FlashSaleView View, string? PreviousSku) StartFlashSaleLocked(FlashSaleRecord sale, Func<FlashSaleRecord, ITimer>? armAutoEnd, DateTimeOffset now)
    {
        var previousSku = _flashSale?.Sku;
        _flashSaleTimer?.Dispose();
        _flashSale = sale;
        _flashRemaining = sale.Remaining;
        _flashSaleTimer = armAutoEnd?.Invoke(sale);
        return (FlashSaleViewLocked(now)!, previousSku);
    }

    /// <summary>Arms the end timer of a sale the room opened with (a sale running when the process stopped).</summary>
    public void ArmFlashSaleEnd(Func<FlashSaleRecord, ITimer> armAutoEnd)
    {
        lock (_gate)
            if (_flashSale is { } sale) _flashSaleTimer = armAutoEnd(sale);
    }

    /// <summary>Ends sale <paramref name="saleId"/> if it is still the running one: returns it as shown ending now
    /// (endsAt = now, active = false) and its sku; null when another sale or none runs.</summary>
    public (FlashSaleView View, string Sku)? EndFlashSale(string saleId, DateTimeOffset now)
    {
        lock (_gate) return EndFlashSaleLocked(saleId, now);
    }

    private (FlashSaleView View, string Sku)? EndFlashSaleLocked(string saleId, DateTimeOffset now)
    {
        {
            if (_flashSale?.SaleId != saleId) return null;
            var sku = _flashSale.Sku;
            _flashSale = _flashSale with { EndsAt = now };
            var view = FlashSaleViewLocked(now)!;
            _flashSale = null;
            _flashSaleTimer?.Dispose();
            _flashSaleTimer = null;
            return (view, sku);
        }
    }

    // ---- Purchases and stock ----

    /// <summary>What a purchase of <paramref name="quantity"/> × <paramref name="sku"/> would be offered right now, taken in
    /// one step so the decision and the ledger request agree. <see cref="PurchaseOffer.KnownSoldOut"/> uses a count no older
    /// than <paramref name="soldOutMaxAge"/>.</summary>
    public PurchaseOffer Offer(string sku, int quantity, DateTimeOffset now, TimeSpan soldOutMaxAge)
    {
        lock (_gate)
        {
            var product = FindProductLocked(sku);
            var sale = IsFlashSaleActive(now) && _flashSale!.Sku == sku ? _flashSale : null;
            return new PurchaseOffer(product, sale, KnownSoldOut(sku, quantity, now, soldOutMaxAge),
                _stockEpoch, _lineupRemaining.ContainsKey(sku));
        }
    }

    /// <summary>Applies a count read inside a ledger transaction unless a later one was applied already. A count read
    /// under an earlier line-up (<paramref name="epoch"/> not the current one) is dropped; <paramref name="epoch"/> null
    /// means the sequence alone orders it (a give-back read in its own transaction).</summary>
    public void ApplyLedgerCount(string sku, int? flashRemaining, int? lineupRemaining, string? saleId, long sequence, int? epoch, DateTimeOffset now)
    {
        lock (_gate) ApplyLedgerCountLocked(sku, flashRemaining, lineupRemaining, saleId, sequence, epoch, now);
    }

    private void ApplyLedgerCountLocked(string sku, int? flashRemaining, int? lineupRemaining, string? saleId, long sequence, int? epoch, DateTimeOffset now)
    {
        {
            if (epoch is { } e && e != _stockEpoch) return;
            if (_stockSequence.TryGetValue(sku, out var seen) && seen > sequence) return;
            _stockSequence[sku] = sequence;
            _stockKnownAt[sku] = now;
            if (lineupRemaining is { } l && _lineupRemaining.ContainsKey(sku)) _lineupRemaining[sku] = l;
            if (flashRemaining is { } f && _flashSale is { } sale && sale.Sku == sku && (saleId is null || saleId == sale.SaleId)) _flashRemaining = f;
        }
    }

    /// <summary>True when the caller must start the room's stock flush; false when one is running and will pick it up.</summary>
    public bool MarkStockDirty(string sku)
    {
        lock (_gate)
        {
            _dirtyStock.Add(sku);
            if (_stockFlushRunning) return false;
            return _stockFlushRunning = true;
        }
    }

    /// <summary>The latest visible count of each sku marked dirty since the last call (unlimited ones are skipped). Empty
    /// means nothing is left to send, and the flush has ended: the next <see cref="MarkStockDirty"/> starts a new one.</summary>
    public List<StockCount> TakeDirtyStock(DateTimeOffset now)
    {
        lock (_gate)
        {
            List<StockCount> counts = [.. _dirtyStock
                .Where(sku => VisibleStock(sku, now) is not null)
                .Select(sku => new StockCount(sku,
                    IsFlashSaleActive(now) && _flashSale!.Sku == sku ? _flashRemaining : null,
                    _lineupRemaining.TryGetValue(sku, out var lineup) ? lineup : null,
                    IsFlashSaleActive(now) && _flashSale!.Sku == sku ? _flashSale.SaleId : null,
                    _stockSequence.GetValueOrDefault(sku)))];
            _dirtyStock.Clear();
            if (counts.Count == 0) _stockFlushRunning = false;
            return counts;
        }
    }

    // ---- Coupons ----

    /// <summary>The coupon as this room knows it (ended ones too, for a while); null when unknown.</summary>
    public CouponRecord? FindCoupon(string couponId)
    {
        lock (_gate) return _coupons.GetValueOrDefault(couponId);
    }

    /// <summary>Coupons the ledger still has open when the room opens (before its shared state is loaded).</summary>
    public void AddCoupons(IEnumerable<CouponRecord> coupons, DateTimeOffset now)
    {
        lock (_gate)
            foreach (var coupon in coupons) AddCouponLocked(coupon, now);
    }

    /// <summary>A count the ledger read in a claim's transaction: kept if lower than the room's (claims only take).</summary>
    public void ApplyCouponCount(string couponId, int remaining)
    {
        lock (_gate) ApplyCouponCountLocked(couponId, remaining);
    }

    /// <summary>True when the caller must start the room's coupon flush; false when one is running and will pick it up.</summary>
    public bool MarkCouponDirty(string couponId)
    {
        lock (_gate)
        {
            _dirtyCoupons.Add(couponId);
            if (_couponFlushRunning) return false;
            return _couponFlushRunning = true;
        }
    }

    /// <summary>The count of each coupon marked dirty since the last call. Empty ends the flush.</summary>
    public List<(string CouponId, int Remaining)> TakeDirtyCoupons()
    {
        lock (_gate)
        {
            List<(string, int)> counts = [.. _dirtyCoupons.Where(_coupons.ContainsKey).Select(id => (id, _coupons[id].Remaining))];
            _dirtyCoupons.Clear();
            if (counts.Count == 0) _couponFlushRunning = false;
            return counts;
        }
    }

    private void AddCouponLocked(CouponRecord coupon, DateTimeOffset now)
    {
        if (_coupons.TryGetValue(coupon.CouponId, out var known) && known.Remaining <= coupon.Remaining) return;
        _coupons[coupon.CouponId] = coupon;
        foreach (var old in _coupons.Values.Where(c => c.EndsAt + ExpiredCouponKept < now).Select(c => c.CouponId).ToList())
            _coupons.Remove(old);
    }

    private bool ApplyCouponCountLocked(string couponId, int remaining)
    {
        if (!_coupons.TryGetValue(couponId, out var coupon)) return false;
        if (remaining < coupon.Remaining) _coupons[couponId] = coupon with { Remaining = Math.Max(0, remaining) };
        return true;
    }

    private static CouponView CouponViewOf(CouponRecord c, long seq) => new()
    {
        CouponId = c.CouponId, DiscountCents = c.DiscountCents, PercentOff = c.PercentOff, MinSpendCents = c.MinSpendCents, Sku = c.Sku,
        Remaining = c.Remaining, EndsAt = c.EndsAt.UtcDateTime, Quantity = c.Quantity, PerBuyer = c.PerBuyer, Currency = c.Currency, Seq = seq,
    };

    /// <summary>The total the counter had when the room opened (later announcements only raise it).</summary>
    public void SeedLikes(long total)
    {
        lock (_gate) _likes = Math.Max(_likes, total);
    }

    public long Likes
    {
        get { lock (_gate) return _likes; }
    }

    // ---- Draws ----

    /// <summary>The draw the room opened with (from the database), unless the shared state brought a newer one.</summary>
    public void SeedDraw(DrawView? draw)
    {
        lock (_gate)
            if (draw is not null && _draw is null) _draw = draw;
    }

    /// <summary>The running draw (copy), or null when none runs.</summary>
    public DrawView? RunningDraw()
    {
        lock (_gate) return _draw is { Active: true } ? CopyDraw(_draw) : null;
    }

    /// <summary>Whether <paramref name="displayId"/> sent a message in the room since the running draw started.</summary>
    public bool SentMessageDuringDraw(string displayId)
    {
        lock (_gate) return _drawMessageSenders.Contains(displayId);
    }

    private static DrawView? CopyDraw(DrawView? d) => d is null ? null : new DrawView
    {
        DrawId = d.DrawId, Sku = d.Sku, Winners = d.Winners, EndsAt = d.EndsAt, Requires = d.Requires, Commitment = d.Commitment,
        Entrants = d.Entrants, Seq = d.Seq, Active = d.Active, Result = d.Result,
    };

    // ---- Events of the room bus ----

    /// <summary>The seq of the last event applied.</summary>
    public long Seq
    {
        get { lock (_gate) return _seq; }
    }

    /// <summary>Applies an event of the room bus unless the room already has it (its seq is not above the room's), and says
    /// what this node's viewers are sent, if anything. While the room is still loading the event is kept for
    /// <see cref="CompleteLoad"/> and nothing is sent (no viewer of this node has joined yet). <paramref name="armAutoEnd"/>
    /// is given on the node that started a flash sale: that node ends it on time.</summary>
    public RoomDelivery? Apply(RoomEvent e, string nodeId, Func<FlashSaleRecord, ITimer>? armAutoEnd, DateTimeOffset now)
    {
        lock (_gate)
        {
            if (_loading)
            {
                (_pending ??= []).Add(e);
                return null;
            }
            return ApplyLocked(e, nodeId, armAutoEnd, now);
        }
    }

    /// <summary>Ends the loading: takes <paramref name="state"/> (what other nodes made of the room; null when nothing is
    /// shared), then the events handed in meanwhile that it does not include.</summary>
    public void CompleteLoad(RoomState? state, string nodeId, DateTimeOffset now)
    {
        lock (_gate)
        {
            if (state is not null)
            {
                _seq = Math.Max(_seq, state.Seq);
                if (state.PinnedSku is { } sku) PinLocked(sku, now);
                // The ledger is the truth for a sale; a shared one only fills in when this node's ledger knows none.
                if (_flashSale is null && state.FlashSale is { } sale && sale.EndsAt > now) StartFlashSaleLocked(sale, null, now);
                foreach (var message in state.RecentMessages) RecordMessageLocked(message, _recentLimit);
                foreach (var (key, until) in state.Mutes)
                    if (until > now) SetMuteLocked(key, until, now);
                _slowModeSeconds = state.SlowModeSeconds;
                _otherViewers = state.OtherViewers;
                foreach (var coupon in state.Coupons) AddCouponLocked(coupon, now);
                TakeSharedDrawLocked(state.Draw);
            }
            _loading = false;
            _replayFloor = _seq;
            foreach (var e in _pending ?? []) ApplyLocked(e, nodeId, null, now);
            _pending = null;
        }
    }

    /// <summary>Takes the shared state again after events may have been missed (a bus that lost messages): the pin, the
    /// recent messages, the mutes, slow mode and the other nodes' viewers become the state's; a sale the state no longer
    /// has ends here (the ledger still decides every purchase), one it has that the room lacks starts. Older than the
    /// room (by seq): ignored.</summary>
    public void Resync(RoomState state, string nodeId, DateTimeOffset now)
    {
        lock (_gate)
        {
            if (_loading || state.Seq < _seq) return;
            _seq = state.Seq;
            // Events may have been missed: what was sent before the resync no longer tells a resuming client all it lacks.
            _replay.Clear();
            _replayFloor = _seq;
            _pinnedSku = state.PinnedSku is { } sku && FindProductLocked(sku) is not null ? sku : null;
            if (state.FlashSale is { } sale && sale.EndsAt > now)
            {
                if (_flashSale?.SaleId != sale.SaleId) StartFlashSaleLocked(sale, null, now);
            }
            else if (_flashSale is { } running)
            {
                EndFlashSaleLocked(running.SaleId, now);
            }
            _recent.Clear();
            foreach (var message in state.RecentMessages) RecordMessageLocked(message, _recentLimit);
            // Mutes by display id are the state's; those by address stay (an address is this node's only).
            foreach (var key in _mutedUntil.Keys.Where(k => !k.StartsWith(MutedAddressKey(""), StringComparison.Ordinal)).ToList())
                if (!state.Mutes.ContainsKey(key)) _mutedUntil.Remove(key);
            foreach (var (key, until) in state.Mutes)
                if (until > now) SetMuteLocked(key, until, now);
            _slowModeSeconds = state.SlowModeSeconds;
            _otherViewers = state.OtherViewers;
            foreach (var coupon in state.Coupons) AddCouponLocked(coupon, now);
            TakeSharedDrawLocked(state.Draw);
        }
    }

    /// <summary>The database says which draw is the latest and whether it ended (a node may die between the end's commit
    /// and its announcement); the shared state adds the entrant count announced since.</summary>
    private void TakeSharedDrawLocked(DrawView? shared)
    {
        if (shared is null) return;
        if (_draw is null) _draw = shared;
        else if (_draw.DrawId == shared.DrawId && _draw.Active && shared.Active) _draw.Entrants = Math.Max(_draw.Entrants, shared.Entrants);
        else if (_draw.DrawId == shared.DrawId && _draw.Active && !shared.Active) _draw = shared;
    }

    private RoomDelivery? ApplyLocked(RoomEvent e, string nodeId, Func<FlashSaleRecord, ITimer>? armAutoEnd, DateTimeOffset now)
    {
        if (!e.Quiet)
        {
            if (e.Seq <= _seq) return null;
            _seq = e.Seq;
        }
        var seq = e.Seq;
        switch (e.Kind)
        {
            case RoomEventKind.Message when e.Message is { } message:
                message.Seq = seq;
                if (_draw is { Active: true }) _drawMessageSenders.Add(message.UserId);
                RecordMessageLocked(message, _recentLimit);
                return Kept(new RoomDelivery("message", c => c.message(message), new RoomEventView { Name = "message", Seq = seq, Message = message }));
            case RoomEventKind.MessageDeleted when e.MessageId is { } id:
                TryDeleteMessageLocked(id);
                var deleted = new MessageDeletedEvent { Id = id, Seq = seq };
                return Kept(new RoomDelivery("messageDeleted", c => c.messageDeleted(deleted), new RoomEventView { Name = "messageDeleted", Seq = seq, MessageDeleted = deleted }));
            case RoomEventKind.Pinned when e.Product is { } product:
                PinLocked(product.Sku, now);
                var pinned = PinnedEvent.Of(product, seq);
                return Kept(new RoomDelivery("pinned", c => c.pinned(pinned), new RoomEventView { Name = "pinned", Seq = seq, Pinned = pinned }));
            case RoomEventKind.Unpinned:
                _pinnedSku = null;
                var unpinned = new UnpinnedEvent { Seq = seq };
                return Kept(new RoomDelivery("unpinned", c => c.unpinned(unpinned), new RoomEventView { Name = "unpinned", Seq = seq, Unpinned = unpinned }));
            case RoomEventKind.FlashSaleStarted when e.Sale is { } sale:
                var (started, _) = StartFlashSaleLocked(sale, armAutoEnd, now);
                started.Seq = seq;
                return Kept(new RoomDelivery("flashSale", c => c.flashSale(started), new RoomEventView { Name = "flashSale", Seq = seq, FlashSale = started }));
            case RoomEventKind.FlashSaleEnded when e.SaleId is { } saleId:
                // A sale already ended here (its end published twice, by two nodes' timers) is not announced again.
                if (EndFlashSaleLocked(saleId, e.At) is not { } ended) return null;
                ended.View.Seq = seq;
                return Kept(new RoomDelivery("flashSale", c => c.flashSale(ended.View), new RoomEventView { Name = "flashSale", Seq = seq, FlashSale = ended.View }));
            case RoomEventKind.Stock when e.Stock is { } count:
                ApplyLedgerCountLocked(count.Sku, count.FlashRemaining, count.LineupRemaining, count.SaleId, count.Sequence, null, now);
                if (VisibleStock(count.Sku, now) is not { } remaining) return null;
                var stock = new StockEvent { Sku = count.Sku, Remaining = remaining, Seq = seq };
                return Kept(new RoomDelivery("stock", c => c.stock(stock), new RoomEventView { Name = "stock", Seq = seq, Stock = stock }));
            case RoomEventKind.Purchase when e.Toast is { } toast:
                toast.Seq = seq;
                return Kept(new RoomDelivery("purchase", c => c.purchase(toast), new RoomEventView { Name = "purchase", Seq = seq, Purchase = toast }));
            case RoomEventKind.Viewers:
                _otherViewers = RoomViewers.OthersThan(nodeId, e.ViewersByNode);
                var viewers = new ViewersEvent { Count = e.Viewers, Seq = seq };
                return Kept(new RoomDelivery("viewers", c => c.viewers(viewers), new RoomEventView { Name = "viewers", Seq = seq, Viewers = viewers }));
            case RoomEventKind.Status:
                _live = e.Live;
                var status = new StatusEvent { Live = e.Live, Seq = seq };
                return Kept(new RoomDelivery("status", c => c.status(status), new RoomEventView { Name = "status", Seq = seq, Status = status }));
            // Every node of a cluster hears the catalog change and publishes it: the second copy changes nothing and
            // is not announced again.
            case RoomEventKind.NextShow when e.NextShowAt == _nextShowAt:
                return null;
            case RoomEventKind.NextShow:
                _nextShowAt = e.NextShowAt;
                var nextShow = new NextShowEvent { NextShowAt = e.NextShowAt?.UtcDateTime, Seq = seq };
                return Kept(new RoomDelivery("nextShow", c => c.nextShow(nextShow), new RoomEventView { Name = "nextShow", Seq = seq, NextShow = nextShow }));
            case RoomEventKind.CouponDropped when e.Coupon is { } dropped:
                AddCouponLocked(dropped, now);
                var droppedView = CouponViewOf(_coupons[dropped.CouponId], seq);
                return Kept(new RoomDelivery("coupon", c => c.coupon(droppedView), new RoomEventView { Name = "coupon", Seq = seq, Coupon = droppedView }));
            case RoomEventKind.CouponCount when e.CouponId is { } couponId:
                if (!ApplyCouponCountLocked(couponId, e.CouponRemaining) || _coupons[couponId].EndsAt <= now) return null;
                var counted = CouponViewOf(_coupons[couponId], seq);
                return Kept(new RoomDelivery("coupon", c => c.coupon(counted), new RoomEventView { Name = "coupon", Seq = seq, Coupon = counted }));
            case RoomEventKind.Likes:
                _likes = Math.Max(_likes, e.LikesTotal);
                var likes = new LikesEvent { Total = _likes, Seq = seq };
                // Not kept for Resume: up to four a second would push everything else out, and each carries the whole total,
                // so a page that missed some is right again at the next one.
                return new RoomDelivery("likes", c => c.likes(likes), new RoomEventView { Name = "likes", Seq = seq, Likes = likes });
            case RoomEventKind.DrawStarted when e.Draw is { } newDraw:
                _drawMessageSenders.Clear();
                _draw = CopyDraw(newDraw)!;
                _draw.Seq = seq;
                var startedView = CopyDraw(_draw)!;
                return Kept(new RoomDelivery("draw", c => c.draw(startedView), new RoomEventView { Name = "draw", Seq = seq, Draw = startedView }));
            case RoomEventKind.DrawEntrants when _draw is { Active: true } running && running.DrawId == e.DrawId:
                if (e.DrawEntrants <= running.Entrants) return null;
                running.Entrants = e.DrawEntrants;
                running.Seq = seq;
                var entrants = CopyDraw(running)!;
                return Kept(new RoomDelivery("draw", c => c.draw(entrants), new RoomEventView { Name = "draw", Seq = seq, Draw = entrants }));
            case RoomEventKind.DrawEnded when e.Draw is { Result: { } result } endedDraw:
                _drawMessageSenders.Clear();
                _draw = CopyDraw(endedDraw)!;
                _draw.Seq = seq;
                result.Seq = seq;
                return Kept(new RoomDelivery("drawResult", c => c.drawResult(result), new RoomEventView { Name = "drawResult", Seq = seq, DrawResult = result }));
            case RoomEventKind.Cue when e.Cue is { } stamped:
                var cue = new CueEvent { Seq = seq, Kind = stamped.Kind, StreamTimeMs = stamped.StreamTimeMs, Id = stamped.Id };
                return Kept(new RoomDelivery("cue", c => c.cue(cue), new RoomEventView { Name = "cue", Seq = seq, Cue = cue }));
            case RoomEventKind.Mute when e.MuteKey is { } key:
                SetMuteLocked(key, e.MutedUntil, now);
                return null;
            case RoomEventKind.SlowMode:
                _slowModeSeconds = e.SlowModeSeconds;
                return null;
            default:
                return null;
        }
    }

    /// <summary>The events viewers were sent after <paramref name="lastSeq"/>, oldest first, and the seq they run to; null when
    /// the room no longer keeps them all (or <paramref name="lastSeq"/> is ahead of the room: it restarted), so the caller
    /// needs a snapshot.</summary>
    public (List<RoomEventView> Events, long Seq)? EventsAfter(long lastSeq)
    {
        lock (_gate)
        {
            if (_loading || lastSeq < _replayFloor || lastSeq > _seq) return null;
            return ([.. _replay.Where(e => e.Seq > lastSeq)], _seq);
        }
    }

    /// <summary>Remembers the name and referrer <paramref name="displayId"/> joined with (see <see cref="JoinedAs"/>).</summary>
    public void RememberJoin(string displayId, string? name, string? referrer)
    {
        lock (_gate)
        {
            if (!_joinedAs.ContainsKey(displayId))
            {
                _joinedAsOrder.Enqueue(displayId);
                while (_joinedAsOrder.Count > MaxJoinedAs) _joinedAs.Remove(_joinedAsOrder.Dequeue());
            }
            _joinedAs[displayId] = (name, referrer);
        }
    }

    /// <summary>The name and referrer <paramref name="displayId"/> last joined this room with on this node, if remembered.</summary>
    public (string? Name, string? Referrer)? JoinedAs(string displayId)
    {
        lock (_gate) return _joinedAs.TryGetValue(displayId, out var joined) ? joined : null;
    }

    private RoomDelivery Kept(RoomDelivery delivery)
    {
        _replay.Enqueue(delivery.Replay);
        while (_replay.Count > _replayLimit) _replayFloor = _replay.Dequeue().Seq;
        return delivery;
    }

    // ---- Under the gate ----

    private void ReplaceStock(LineupStock stock, DateTimeOffset now)
    {
        _lineupRemaining = new Dictionary<string, int>(stock.Remaining, StringComparer.Ordinal);
        _stockSequence.Clear();
        _stockKnownAt.Clear();
        foreach (var item in _lineup)
        {
            _stockSequence[item.Sku] = stock.Sequence;
            _stockKnownAt[item.Sku] = now;
        }
        _stockEpoch++;
    }

    private LineupItem? FindProductLocked(string sku) => _lineup.FirstOrDefault(p => p.Sku == sku);

    private bool IsFlashSaleActive(DateTimeOffset now) => _flashSale is { } sale && sale.EndsAt > now;

    /// <summary>
    /// True when the ledger said less than <paramref name="quantity"/> of <paramref name="sku"/> is left no longer than
    /// <paramref name="maxAge"/> ago: the purchase can be refused <c>sold_out</c> without a database round trip.
    /// Stock only comes back through this process (a failed order, a new line-up or sale, all applied here), so in a
    /// single process the count is exact; <paramref name="maxAge"/> bounds how long a give-back by another process
    /// sharing the database can go unseen.
    /// </summary>
    private bool KnownSoldOut(string sku, int quantity, DateTimeOffset now, TimeSpan maxAge) =>
        VisibleStock(sku, now) is { } left && left < quantity
        && _stockKnownAt.TryGetValue(sku, out var at) && now - at <= maxAge;

    /// <summary>What buyers can still get of <paramref name="sku"/> right now; null = unlimited.</summary>
    private int? VisibleStock(string sku, DateTimeOffset now)
    {
        int? lineup = _lineupRemaining.TryGetValue(sku, out var l) ? l : null;
        if (IsFlashSaleActive(now) && _flashSale!.Sku == sku)
            return lineup is { } lim ? Math.Min(lim, _flashRemaining) : _flashRemaining;
        return lineup;
    }

    private ProductView ToView(LineupItem item, DateTimeOffset now) => new()
    {
        Sku = item.Sku, Title = item.Title, PriceCents = item.PriceCents, Currency = item.Currency,
        ImageUrl = item.ImageUrl, Stock = VisibleStock(item.Sku, now),
    };

    private FlashSaleView? FlashSaleViewLocked(DateTimeOffset now) => _flashSale is { } sale
        ? new FlashSaleView
        {
            Sku = sale.Sku, PriceCents = sale.PriceCents, Currency = sale.Currency, Quantity = sale.Quantity,
            Remaining = _flashRemaining, EndsAt = sale.EndsAt.UtcDateTime, Active = sale.EndsAt > now, StartsAt = sale.StartsAt?.UtcDateTime,
        }
        : null;
}
