namespace Relay.Chat.Webhooks;

internal sealed record DeliveryResult(DeliveryKind Kind, int? StatusCode, string Error, TimeSpan? RetryAfter, string? CheckoutUrl = null);
