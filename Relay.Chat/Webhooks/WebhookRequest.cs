namespace Relay.Chat.Webhooks;

/// <summary>One POST of a webhook: the JSON body's exact bytes (what is signed is what is sent), the stable id of the
/// delivery (Idempotency-Key and webhook-id, the same on every retry), the bearer key and the signing key, if any.</summary>
public sealed record WebhookRequest(Uri Endpoint, string Id, byte[] Body, string? ApiKey, byte[]? SigningKey, TimeSpan Timeout);
