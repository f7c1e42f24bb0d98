using Relay.Chat.Channels;
using Relay.Chat.Contracts;
using Relay.Chat.Purchases;

namespace Relay.Chat.Rooms;

/// <summary>In-memory state of one channel's room. Every field is guarded by <see cref="Gate"/>;
/// the durable truth for stock lives in the ledger, these counts are its latest known values.</summary>
internal sealed class LiveRoom(string channelId, string title, bool live)
{
    public Lock Gate { get; } = new();

    public string ChannelId { get; } = channelId;
    public string Title { get; set; } = title;
    public bool Live { get; set; } = live;

    public List<LineupItem> Lineup { get; set; } = [];
    public Dictionary<string, int> LineupRemaining { get; set; } = new(StringComparer.Ordinal);
    private readonly Dictionary<string, long> _stockSequence = new(StringComparer.Ordinal);

    public string? PinnedSku { get; set; }
    public FlashSaleRecord? FlashSale { get; set; }
    public int FlashRemaining { get; set; }
    public ITimer? FlashSaleTimer { get; set; }

    public LinkedList<ChatMessageView> Recent { get; } = new();
    // Message ids a host may still delete: a longer window than the snapshot buffer.
    public Queue<string> KnownMessageIds { get; } = new();
    public HashSet<string> KnownMessageIdSet { get; } = new(StringComparer.Ordinal);
    /// <summary>Keyed by display id (<see cref="Identity.DisplayIds"/>), or by <see cref="MutedAddressKey"/> for guests without a guest token.</summary>
    public Dictionary<string, DateTimeOffset> MutedUntil { get; } = new(StringComparer.Ordinal);
    public int SlowModeSeconds { get; set; }

    /// <summary>Non-moderator messages of the whole room (<c>Chat:RoomMessagesPerSecond</c>); made at the first one.</summary>
    public TokenBucket? MessageBudget { get; set; }

    /// <summary>Address hash of each guest in the room that has no guest token (display id -> hash), so a mute of that
    /// id also holds for the address: its next connection has a new id.</summary>
    public Dictionary<string, string> ConnectionGuestAddresses { get; } = new(StringComparer.Ordinal);

    public static string MutedAddressKey(string addressHash) => "address:" + addressHash;

    /// <summary>For each muted token-less guest (display id), the address key muted with it: the guest is usually gone (and out
    /// of <see cref="ConnectionGuestAddresses"/>) by the time a host lifts the mute. As small as the set of mutes.</summary>
    public Dictionary<string, string> MutedAddressOf { get; } = new(StringComparer.Ordinal);

    /// <summary>Skeletons of the names hosts joined this room with; bounded, a host rarely has more than one.</summary>
    public HashSet<string> HostNames { get; } = new(StringComparer.Ordinal);
    public const int MaxHostNames = 16;

    public HashSet<string> Connections { get; } = new(StringComparer.Ordinal);
    public bool ViewerBroadcastScheduled { get; set; }

    public HashSet<string> DirtyStock { get; } = new(StringComparer.Ordinal);
    public bool StockFlushRunning { get; set; }

    public LineupItem? FindProduct(string sku) => Lineup.FirstOrDefault(p => p.Sku == sku);

    public bool IsFlashSaleActive(DateTimeOffset now) => FlashSale is { } sale && sale.EndsAt > now;

    // When the ledger last told this room a count of the sku: the sold-out fast path only trusts a recent one.
    private readonly Dictionary<string, DateTimeOffset> _stockKnownAt = new(StringComparer.Ordinal);

    /// <summary>Bumped when the line-up stock is replaced, so a count read before the reset is never applied after it.</summary>
    public int StockEpoch { get; private set; }

    /// <summary>Applies a count read inside a ledger transaction unless a later one was applied already.</summary>
    public void ApplyStock(string sku, int? flashRemaining, int? lineupRemaining, string? saleId, long sequence, int epoch, DateTimeOffset now)
    {
        if (epoch != StockEpoch) return;
        if (_stockSequence.TryGetValue(sku, out var seen) && seen > sequence) return;
        _stockSequence[sku] = sequence;
        _stockKnownAt[sku] = now;
        if (lineupRemaining is { } l && LineupRemaining.ContainsKey(sku)) LineupRemaining[sku] = l;
        if (flashRemaining is { } f && FlashSale is { } sale && sale.Sku == sku && (saleId is null || saleId == sale.SaleId)) FlashRemaining = f;
    }

    /// <summary>Takes the counts a line-up change read from the ledger. Its <paramref name="sequence"/> becomes every sku's
    /// floor, so a count read before it (a purchase or a failed order's give-back that committed earlier but reports
    /// later) is never applied after it.</summary>
    public void ReplaceLineupStock(IReadOnlyDictionary<string, int> remaining, long sequence, DateTimeOffset now)
    {
        LineupRemaining = new Dictionary<string, int>(remaining, StringComparer.Ordinal);
        _stockSequence.Clear();
        _stockKnownAt.Clear();
        foreach (var item in Lineup)
        {
            _stockSequence[item.Sku] = sequence;
            _stockKnownAt[item.Sku] = now;
        }
        StockEpoch++;
    }

    /// <summary>
    /// True when the ledger said less than <paramref name="quantity"/> of <paramref name="sku"/> is left no longer than
    /// <paramref name="maxAge"/> ago: the purchase can be refused <c>sold_out</c> without a database round trip.
    /// Stock only comes back through this process (a failed order, a new line-up or sale, all applied here), so in a
    /// single process the count is exact; <paramref name="maxAge"/> bounds how long a give-back by another process
    /// sharing the database can go unseen.
    /// </summary>
    public bool KnownSoldOut(string sku, int quantity, DateTimeOffset now, TimeSpan maxAge) =>
        VisibleStock(sku, now) is { } left && left < quantity
        && _stockKnownAt.TryGetValue(sku, out var at) && now - at <= maxAge;

    /// <summary>What buyers can still get of <paramref name="sku"/> right now; null = unlimited.</summary>
    public int? VisibleStock(string sku, DateTimeOffset now)
    {
        int? lineup = LineupRemaining.TryGetValue(sku, out var l) ? l : null;
        if (IsFlashSaleActive(now) && FlashSale!.Sku == sku)
            return lineup is { } lim ? Math.Min(lim, FlashRemaining) : FlashRemaining;
        return lineup;
    }

    public ProductView ToView(LineupItem item, DateTimeOffset now) => new()
    {
        Sku = item.Sku, Title = item.Title, PriceCents = item.PriceCents, Currency = item.Currency,
        ImageUrl = item.ImageUrl, Stock = VisibleStock(item.Sku, now),
    };

    public FlashSaleView? FlashSaleView(DateTimeOffset now) => FlashSale is { } sale
        ? new FlashSaleView
        {
            Sku = sale.Sku, PriceCents = sale.PriceCents, Currency = sale.Currency, Quantity = sale.Quantity,
            Remaining = FlashRemaining, EndsAt = sale.EndsAt.UtcDateTime, Active = sale.EndsAt > now,
        }
        : null;
}
