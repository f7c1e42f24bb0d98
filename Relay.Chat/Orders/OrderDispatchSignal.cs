using Relay.Chat.Webhooks;

namespace Relay.Chat.Orders;

/// <summary>Wakes the order dispatcher when an order was written.</summary>
internal sealed class OrderDispatchSignal : DispatchSignal;
