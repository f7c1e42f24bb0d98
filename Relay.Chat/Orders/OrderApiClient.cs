using System.Diagnostics;
using System.Text.Json;
using Microsoft.Extensions.Options;
using Relay.Chat.Configuration;
using Relay.Chat.Diagnostics;
using Relay.Chat.Webhooks;

namespace Relay.Chat.Orders;

/// <summary>
/// One attempt = one POST. Retrying is the dispatcher's job, persisted in the outbox, so it survives a restart
/// and Orders:MaxAttempts counts real requests; that is why no in-memory retry handler sits in this client.
/// Redirects are never followed (the handler has AllowAutoRedirect off): a followed 308 re-POSTs without the
/// Authorization header, and a followed 301/302 turns the POST into a GET whose 200 would confirm an order never sent.
/// </summary>
internal sealed class OrderApiClient(IHttpClientFactory clients, OrderEndpoint endpoint, IOptions<OrdersOptions> options, TimeProvider time)
{
    public const string HttpClientName = "relay-orders";

    // A 2xx body is read only for its checkoutUrl; anything larger is not an order answer worth holding in memory.
    private const int MaxAnswerBytes = 16 * 1024;
    private const int MaxCheckoutUrlLength = 2048;

    public static DeliveryKind Classify(int statusCode) => WebhookPost.Classify(statusCode);

    public async Task<DeliveryResult> DeliverAsync(OrderRecord order, CancellationToken cancellationToken)
    {
        var body = JsonSerializer.SerializeToUtf8Bytes(OrderApiRequest.From(order), OrdersJsonContext.Default.OrderApiRequest);
        var webhook = new WebhookRequest(endpoint.Resolve(), order.OrderId, body, endpoint.SendsApiKey ? endpoint.ApiKey : null,
            SigningKey, TimeSpan.FromSeconds(options.Value.TimeoutSeconds));
        var started = Stopwatch.GetTimestamp();
        // The outcome label is what makes an error ratio possible: a retried 5xx is otherwise invisible until it dead-letters.
        DeliveryResult? result = null;
        try
        {
            return result = await WebhookPost.SendAsync(clients.CreateClient(HttpClientName), webhook, time, CheckoutUrlAsync, cancellationToken);
        }
        finally
        {
            ChatMetrics.OrderApiDuration.WithLabels(OrderMetricLabels.Outcome(result?.Kind))
                .Observe(Stopwatch.GetElapsedTime(started).TotalSeconds);
        }
    }

    /// <summary>`Orders:SigningSecret` as a key (validated at start), or null: requests are then not signed.</summary>
    private byte[]? SigningKey => options.Value.SigningSecret is { Length: > 0 } secret ? WebhookSecret.TryParse(secret, out _) : null;

    /// <summary>The `checkoutUrl` of a JSON answer, passed on to the buyer. The order is confirmed whatever the body
    /// holds: a body that is missing, too large, not JSON or slow only means no link.</summary>
    private static async Task<string?> CheckoutUrlAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        if (response.Content.Headers.ContentType?.MediaType is not { } type
            || !(type == "application/json" || type.EndsWith("+json", StringComparison.OrdinalIgnoreCase)))
            return null;
        if (response.Content.Headers.ContentLength > MaxAnswerBytes) return null;
        try
        {
            await using var body = await response.Content.ReadAsStreamAsync(cancellationToken);
            var buffer = new byte[MaxAnswerBytes + 1];
            var read = 0;
            while (read < buffer.Length && await body.ReadAsync(buffer.AsMemory(read), cancellationToken) is var n and > 0) read += n;
            if (read > MaxAnswerBytes) return null;
            using var json = JsonDocument.Parse(buffer.AsMemory(0, read));
            if (json.RootElement.ValueKind != JsonValueKind.Object
                || !json.RootElement.TryGetProperty("checkoutUrl", out var url) || url.ValueKind != JsonValueKind.String)
                return null;
            var text = url.GetString()!;
            // Only a link a browser can open safely: an absolute https URL (or http on loopback, for local setups).
            return text.Length <= MaxCheckoutUrlLength && Uri.TryCreate(text, UriKind.Absolute, out var uri)
                   && (uri.Scheme == Uri.UriSchemeHttps || (uri.Scheme == Uri.UriSchemeHttp && uri.IsLoopback))
                ? text
                : null;
        }
        catch (Exception ex) when (ex is JsonException or HttpRequestException or IOException or OperationCanceledException)
        {
            return null;
        }
    }
}
