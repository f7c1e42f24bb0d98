using Relay.Chat.Contracts;
using Relay.Chat.Identity;
using Relay.Chat.Rooms;

namespace Relay.Chat.Orders;

/// <summary>
/// Tells the buyer (`order`) and the room (`purchase` toast) about a delivered order without holding one of the
/// dispatcher's delivery slots: a broadcast to a room of thousands takes far longer than the order API's answer and
/// must not delay the next order's delivery. Toasts go out one at a time per room, in order, at most one per
/// <see cref="ToastInterval"/>; in a rush at most <see cref="MaxQueuedToasts"/> wait and the oldest waiting ones are
/// skipped (the buyer's own `order` event never is). Each toast is a write to every connection of the room: a flash
/// sale of 100 to 5,000 viewers would otherwise be 500,000 writes within a few seconds, for toasts nobody can read.
/// </summary>
internal sealed class OrderAnnouncer(RoomBroadcaster broadcaster, RoomEvents events)
{
    internal const int MaxQueuedToasts = 10;

    // Pacing, not logic: a real delay, so it never waits for a test's fake clock.
    internal static readonly TimeSpan ToastInterval = TimeSpan.FromMilliseconds(500);

    private readonly Dictionary<string, Queue<PurchaseToast>> _toasts = new(StringComparer.Ordinal);
    private readonly HashSet<string> _pumping = new(StringComparer.Ordinal);
    private readonly Lock _gate = new();

    public void Confirmed(OrderRecord order, string? checkoutUrl = null)
    {
        _ = broadcaster.ToBuyerAsync(order.ChannelId, order.BuyerId, "order",
            c => c.order(new OrderEvent { OrderId = order.OrderId, Status = OrderStatus.Confirmed, CheckoutUrl = checkoutUrl }));
        var toast = new PurchaseToast { DisplayName = ToastName.Of(order.BuyerName), Sku = order.Sku, Quantity = order.Quantity };
        lock (_gate)
        {
            if (!_toasts.TryGetValue(order.ChannelId, out var queue)) _toasts[order.ChannelId] = queue = new Queue<PurchaseToast>();
            if (queue.Count >= MaxQueuedToasts) queue.Dequeue();
            queue.Enqueue(toast);
            if (!_pumping.Add(order.ChannelId)) return;
        }
        _ = Task.Run(() => PumpAsync(order.ChannelId));
    }

    public void Failed(OrderRecord order) =>
        _ = broadcaster.ToBuyerAsync(order.ChannelId, order.BuyerId, "order",
            c => c.order(new OrderEvent { OrderId = order.OrderId, Status = OrderStatus.Failed }));

    private async Task PumpAsync(string channelId)
    {
        while (true)
        {
            PurchaseToast toast;
            lock (_gate)
            {
                var queue = _toasts[channelId];
                if (queue.Count == 0)
                {
                    _toasts.Remove(channelId);
                    _pumping.Remove(channelId);
                    return;
                }
                toast = queue.Dequeue();
            }
            // Never throws: a failed publication is logged.
            await events.PublishSafeAsync(new RoomEvent { ChannelId = channelId, Kind = RoomEventKind.Purchase, Toast = toast });
            await Task.Delay(ToastInterval);
        }
    }
}
