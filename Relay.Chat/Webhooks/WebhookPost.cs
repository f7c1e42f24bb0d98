using System.Net.Http.Headers;

namespace Relay.Chat.Webhooks;

/// <summary>
/// One attempt of a webhook (the order API, the CRM) = one POST, its answer classified by the contract's classes
/// (CONTRACT.md v2 "Order API"). Retrying is the caller's dispatcher's job, persisted in its outbox. Redirects are never
/// followed (the named clients have AllowAutoRedirect off): a 3xx is a misconfigured endpoint.
/// </summary>
internal static class WebhookPost
{
    public static DeliveryKind Classify(int statusCode) => statusCode switch
    {
        >= 200 and < 300 => DeliveryKind.Confirmed,
        400 or 422 => DeliveryKind.Rejected,
        (>= 300 and < 400) or 401 or 403 or 404 or 405 => DeliveryKind.Misconfigured,
        // 408, 409 ("in progress or already have it"), 425, 429, 5xx, and whatever the contract does not name:
        // an answer that does not say "this is invalid" is tried again.
        _ => DeliveryKind.Retry,
    };

    /// <summary>Posts <paramref name="webhook"/>; <paramref name="onSuccess"/> may read a 2xx answer's body (the order
    /// API's checkoutUrl) and its result is the delivery's <see cref="DeliveryResult.CheckoutUrl"/>.</summary>
    public static async Task<DeliveryResult> SendAsync(HttpClient client, WebhookRequest webhook, TimeProvider time,
        Func<HttpResponseMessage, CancellationToken, Task<string?>>? onSuccess, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, webhook.Endpoint) { Content = new ByteArrayContent(webhook.Body) };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json") { CharSet = "utf-8" };
        request.Headers.Add("Idempotency-Key", webhook.Id);
        if (!string.IsNullOrEmpty(webhook.ApiKey))
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", webhook.ApiKey);
        if (webhook.SigningKey is { } key)
        {
            // The id is the same on every retry (receivers deduplicate on it); the timestamp is this attempt's.
            var timestamp = time.GetUtcNow().ToUnixTimeSeconds();
            request.Headers.TryAddWithoutValidation(WebhookSignature.IdHeader, webhook.Id);
            request.Headers.TryAddWithoutValidation(WebhookSignature.TimestampHeader, timestamp.ToString(System.Globalization.CultureInfo.InvariantCulture));
            request.Headers.TryAddWithoutValidation(WebhookSignature.SignatureHeader, WebhookSignature.Sign(key, webhook.Id, timestamp, webhook.Body));
        }

        using var attempt = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        attempt.CancelAfter(webhook.Timeout);
        try
        {
            using var response = await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, attempt.Token);
            var code = (int)response.StatusCode;
            var kind = Classify(code);
            if (kind == DeliveryKind.Confirmed)
                return new DeliveryResult(kind, code, "", null, onSuccess is null ? null : await onSuccess(response, attempt.Token));
            var retryAfter = response.Headers.RetryAfter is { } ra
                ? ra.Delta ?? (ra.Date is { } date ? date - time.GetUtcNow() : null)
                : null;
            var error = kind switch
            {
                DeliveryKind.Misconfigured when code is >= 300 and < 400 => $"HTTP {code} redirect not followed (endpoint misconfigured)",
                DeliveryKind.Misconfigured => $"HTTP {code} (endpoint misconfigured)",
                _ => $"HTTP {code}",
            };
            return new DeliveryResult(kind, code, error, retryAfter);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return new DeliveryResult(DeliveryKind.Retry, null, "timeout", null);
        }
        catch (HttpRequestException ex)
        {
            return new DeliveryResult(DeliveryKind.Retry, null, ex.HttpRequestError.ToString(), null);
        }
    }

    /// <summary>The wait before the next attempt: exponential, capped, with "equal jitter" (half fixed, half random) so a
    /// burst of failures spreads out, and never shorter than a Retry-After the endpoint asked for (up to the cap).</summary>
    public static TimeSpan RetryDelay(int attempt, TimeSpan? retryAfter, int initialBackoffMilliseconds, double maxBackoffSeconds)
    {
        var cap = TimeSpan.FromSeconds(maxBackoffSeconds);
        var delay = new Relay.Common.Resilience.BackoffPolicy(TimeSpan.FromMilliseconds(initialBackoffMilliseconds), cap, Relay.Common.Resilience.BackoffJitter.Equal)
            .Delay(attempt, Random.Shared);
        if (retryAfter is { } asked && asked > delay)
            delay = TimeSpan.FromTicks(Math.Min(asked.Ticks, cap.Ticks));
        return delay;
    }
}
