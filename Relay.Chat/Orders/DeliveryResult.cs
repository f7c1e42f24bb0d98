namespace Relay.Chat.Orders;

internal sealed record DeliveryResult(DeliveryKind Kind, int? StatusCode, string Error, TimeSpan? RetryAfter, string? CheckoutUrl = null);
