using System.Text.Json;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Relay.Chat.Channels;
using Relay.Chat.Configuration;
using Relay.Chat.Contracts;
using Relay.Chat.Diagnostics;
using Relay.Chat.Ledger;
using Relay.Chat.Rooms;

namespace Relay.Chat.Merchandising;

/// <summary>Pinned product and flash sales.</summary>
internal sealed class MerchandisingService
{
    private const long MaxPriceCents = 1_000_000_000_00;
    private const int MaxSaleQuantity = 1_000_000;
    internal const int MinStartsInSeconds = 10;
    internal const int MaxStartsInSeconds = 300;

    /// <summary>The unpin marker's payload, <c>{}</c>.</summary>
    private static readonly JsonElement EmptyPayload = JsonDocument.Parse("{}").RootElement.Clone();

    private readonly LiveRoomRegistry _registry;
    private readonly RoomEvents _events;
    private readonly StockPublisher _stock;
    private readonly IStockLedger _ledger;
    private readonly ChatOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger<MerchandisingService> _logger;
    private readonly IShowTimeline _timeline;
    private readonly RoomCues _cues;

    public MerchandisingService(LiveRoomRegistry registry, RoomEvents events, StockPublisher stock, IStockLedger ledger,
        IOptions<ChatOptions> options, TimeProvider time, ILogger<MerchandisingService> logger, IShowTimeline timeline, RoomCues cues)
    {
        (_registry, _events, _stock, _ledger, _options, _time, _logger, _timeline) = (registry, events, stock, ledger, options.Value, time, logger, timeline);
        _cues = cues;
        // A sale that was running when the process stopped gets its auto-end back when its room reopens.
        _registry.RoomOpened += room => room.ArmFlashSaleEnd(sale => ArmAutoEnd(room, sale));
        // The node that starts a sale ends it on time (the others apply the end it publishes).
        _events.AutoEnd = ArmAutoEnd;
    }

    public async Task PinAsync(ConnectionSession session, string? sku)
    {
        var (room, _) = _registry.Moderator(session);
        if (string.IsNullOrEmpty(sku) || sku.Length > RoomService.MaxIdLength)
            throw Refusal.Create(Refusal.Invalid, "sku is required");
        var view = room.PinPreview(sku, _time.GetUtcNow()) ?? throw Refusal.Create(Refusal.NotFound, "sku is not in the line-up");
        var stamp = _cues.Stamp(room.ChannelId);
        await _events.PublishAsync(new RoomEvent { ChannelId = room.ChannelId, Kind = RoomEventKind.Pinned, Product = view });
        await _cues.CueAsync(room.ChannelId, stamp, CueKinds.Pin, view.Sku);
        _timeline.Mark(room.ChannelId, "pinned", JsonSerializer.SerializeToElement(view, HubJsonContext.Default.ProductView), stamp);
    }

    public Task UnpinAsync(ConnectionSession session)
    {
        var (room, _) = _registry.Moderator(session);
        return UnpinAsync(room, CancellationToken.None);
    }

    public async Task UnpinAsync(LiveRoom room, CancellationToken cancellationToken)
    {
        if (room.PinnedSku is null) return;
        await _events.PublishAsync(new RoomEvent { ChannelId = room.ChannelId, Kind = RoomEventKind.Unpinned }, cancellationToken);
        _timeline.Mark(room.ChannelId, "unpinned", EmptyPayload);
    }

    public async Task StartFlashSaleAsync(ConnectionSession session, FlashSaleRequest? request, CancellationToken cancellationToken)
    {
        var (room, _) = _registry.Moderator(session);
        if (request is null) throw Refusal.Create(Refusal.Invalid, "a {sku, priceCents, quantity, durationSeconds} object is required");
        if (string.IsNullOrEmpty(request.Sku) || request.Sku.Length > RoomService.MaxIdLength)
            throw Refusal.Create(Refusal.Invalid, "sku is required");
        if (request.PriceCents < 0 || request.PriceCents > MaxPriceCents)
            throw Refusal.Create(Refusal.Invalid, "priceCents must be 0 or more");
        if (request.Quantity < 1 || request.Quantity > MaxSaleQuantity)
            throw Refusal.Create(Refusal.Invalid, $"quantity must be between 1 and {MaxSaleQuantity}");
        if (request.DurationSeconds < 1 || request.DurationSeconds > _options.MaxFlashSaleSeconds)
            throw Refusal.Create(Refusal.Invalid, $"durationSeconds must be between 1 and {_options.MaxFlashSaleSeconds}");
        if (request.StartsInSeconds is { } startsIn && (startsIn < MinStartsInSeconds || startsIn > MaxStartsInSeconds))
            throw Refusal.Create(Refusal.Invalid, $"startsInSeconds must be between {MinStartsInSeconds} and {MaxStartsInSeconds}");
        var currency = (room.FindProduct(request.Sku) ?? throw Refusal.Create(Refusal.NotFound, "sku is not in the line-up")).Currency;

        // An announced sale opens at startsAt; its duration counts from then.
        DateTimeOffset? startsAt = request.StartsInSeconds is { } delay ? _time.GetUtcNow().AddSeconds(delay) : null;
        var endsAt = (startsAt ?? _time.GetUtcNow()).AddSeconds(request.DurationSeconds);
        var previousSku = room.FlashSaleView(_time.GetUtcNow())?.Sku;
        // The moment the host asked, before the ledger's round trip.
        var stamp = _cues.Stamp(room.ChannelId);
        var sale = await _ledger.StartFlashSaleAsync(room.ChannelId, request.Sku, request.PriceCents, currency, request.Quantity, endsAt, startsAt, cancellationToken);
        await _events.PublishAsync(new RoomEvent { ChannelId = room.ChannelId, Kind = RoomEventKind.FlashSaleStarted, Sale = sale }, cancellationToken);
        await _cues.CueAsync(room.ChannelId, stamp, CueKinds.Sale, sale.Sku);
        var view = new FlashSaleView
        {
            Sku = sale.Sku, PriceCents = sale.PriceCents, Currency = sale.Currency, Quantity = sale.Quantity, Remaining = sale.Remaining,
            EndsAt = sale.EndsAt.UtcDateTime, Active = true, StartsAt = sale.StartsAt?.UtcDateTime,
        };
        _timeline.Mark(room.ChannelId, "flashSale", JsonSerializer.SerializeToElement(view, HubJsonContext.Default.FlashSaleView), stamp);
        if (previousSku is not null && previousSku != sale.Sku) _stock.MarkDirty(room, previousSku);
        _stock.MarkDirty(room, sale.Sku);
    }

    public Task EndFlashSaleAsync(ConnectionSession session, CancellationToken cancellationToken)
    {
        var (room, _) = _registry.Moderator(session);
        return EndFlashSaleAsync(room, null, cancellationToken);
    }

    /// <summary>Ends the room's sale (only <paramref name="saleId"/> if given, so a late timer cannot end a newer sale).</summary>
    public async Task EndFlashSaleAsync(LiveRoom room, string? saleId, CancellationToken cancellationToken)
    {
        var current = room.FlashSaleId();
        if (current is null || (saleId is not null && saleId != current)) return;
        await _ledger.EndFlashSaleAsync(room.ChannelId, current, cancellationToken);
        // The ended sale is shown with endsAt = now and active = false, then forgotten (by every node: the end travels
        // with its time).
        var now = _time.GetUtcNow();
        if (room.FlashSaleView(now) is not { } view) return;
        var sku = view.Sku;
        view.EndsAt = now.UtcDateTime;
        view.Active = false;
        await _events.PublishAsync(new RoomEvent { ChannelId = room.ChannelId, Kind = RoomEventKind.FlashSaleEnded, SaleId = current, At = now }, cancellationToken);
        _timeline.Mark(room.ChannelId, "flashSale", JsonSerializer.SerializeToElement(view, HubJsonContext.Default.FlashSaleView));
        _stock.MarkDirty(room, sku);
    }

    private ITimer ArmAutoEnd(LiveRoom room, FlashSaleRecord sale)
    {
        var due = sale.EndsAt - _time.GetUtcNow();
        return _time.CreateTimer(_ => _ = AutoEndAsync(room, sale.SaleId), null,
            due > TimeSpan.Zero ? due : TimeSpan.Zero, Timeout.InfiniteTimeSpan);
    }

    private async Task AutoEndAsync(LiveRoom room, string saleId)
    {
        try
        {
            await EndFlashSaleAsync(room, saleId, CancellationToken.None);
        }
        catch (Exception ex)
        {
            // Purchases check ends_at in the ledger, so a failed auto-end never sells after the end.
            Log.FlashSaleAutoEndFailed(_logger, room.ChannelId, ex);
        }
    }
}
