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

    /// <summary>The unpin marker's payload, <c>{}</c>.</summary>
    private static readonly JsonElement EmptyPayload = JsonDocument.Parse("{}").RootElement.Clone();

    private readonly LiveRoomRegistry _registry;
    private readonly RoomBroadcaster _broadcaster;
    private readonly StockPublisher _stock;
    private readonly IStockLedger _ledger;
    private readonly ChatOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger<MerchandisingService> _logger;
    private readonly IShowTimeline _timeline;

    public MerchandisingService(LiveRoomRegistry registry, RoomBroadcaster broadcaster, StockPublisher stock, IStockLedger ledger,
        IOptions<ChatOptions> options, TimeProvider time, ILogger<MerchandisingService> logger, IShowTimeline timeline)
    {
        (_registry, _broadcaster, _stock, _ledger, _options, _time, _logger, _timeline) = (registry, broadcaster, stock, ledger, options.Value, time, logger, timeline);
        // A sale that was running when the process stopped gets its auto-end back when its room reopens.
        _registry.RoomOpened += room => room.ArmFlashSaleEnd(sale => ArmAutoEnd(room, sale));
    }

    public async Task PinAsync(ConnectionSession session, string? sku)
    {
        var (room, _) = _registry.Moderator(session);
        if (string.IsNullOrEmpty(sku) || sku.Length > RoomService.MaxIdLength)
            throw Refusal.Create(Refusal.Invalid, "sku is required");
        var view = room.Pin(sku, _time.GetUtcNow()) ?? throw Refusal.Create(Refusal.NotFound, "sku is not in the line-up");
        await _broadcaster.ToRoomAsync(room.ChannelId, "pinned", c => c.pinned(view));
        _timeline.Mark(room.ChannelId, "pinned", JsonSerializer.SerializeToElement(view, HubJsonContext.Default.ProductView));
    }

    public Task UnpinAsync(ConnectionSession session)
    {
        var (room, _) = _registry.Moderator(session);
        return UnpinAsync(room, CancellationToken.None);
    }

    public async Task UnpinAsync(LiveRoom room, CancellationToken cancellationToken)
    {
        if (!room.Unpin()) return;
        await _broadcaster.ToRoomAsync(room.ChannelId, "unpinned", c => c.unpinned());
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
        var currency = (room.FindProduct(request.Sku) ?? throw Refusal.Create(Refusal.NotFound, "sku is not in the line-up")).Currency;

        var endsAt = _time.GetUtcNow().AddSeconds(request.DurationSeconds);
        var sale = await _ledger.StartFlashSaleAsync(room.ChannelId, request.Sku, request.PriceCents, currency, request.Quantity, endsAt, cancellationToken);
        var (view, previousSku) = room.StartFlashSale(sale, started => ArmAutoEnd(room, started), _time.GetUtcNow());
        await _broadcaster.ToRoomAsync(room.ChannelId, "flashSale", c => c.flashSale(view));
        _timeline.Mark(room.ChannelId, "flashSale", JsonSerializer.SerializeToElement(view, HubJsonContext.Default.FlashSaleView));
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
        // The ended sale is shown with endsAt = now and active = false, then forgotten.
        if (room.EndFlashSale(current, _time.GetUtcNow()) is not { } ended) return;
        var (view, sku) = ended;
        await _broadcaster.ToRoomAsync(room.ChannelId, "flashSale", c => c.flashSale(view));
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
