namespace Relay.Chat.Orders;

/// <summary><c>{orderId, status}</c>: the built-in order API's answer to an order, and the redelivery's.</summary>
public sealed record OrderAnswer(string OrderId, string Status);
