using System.Diagnostics;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Extensions.Options;
using Relay.Chat.Configuration;
using Relay.Chat.Diagnostics;

namespace Relay.Chat.Orders;

public enum DeliveryKind { Confirmed, Rejected, Retry }

public sealed record DeliveryResult(DeliveryKind Kind, int? StatusCode, string Error, TimeSpan? RetryAfter);

/// <summary>
/// One attempt = one POST. Retrying is the dispatcher's job, persisted in the outbox, so it survives a restart
/// and Orders:MaxAttempts counts real requests; that is why no in-memory retry handler sits in this client.
/// </summary>
public sealed class OrderApiClient(IHttpClientFactory clients, OrderEndpoint endpoint, IOptions<OrdersOptions> options)
{
    public const string HttpClientName = "relay-orders";

    public async Task<DeliveryResult> DeliverAsync(OrderRecord order, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, endpoint.Resolve())
        {
            Content = JsonContent.Create(OrderApiRequest.From(order), options: JsonSerializerOptions.Web),
        };
        request.Headers.Add("Idempotency-Key", order.OrderId);
        if (endpoint.SendsApiKey)
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", endpoint.ApiKey);

        using var attempt = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        attempt.CancelAfter(TimeSpan.FromSeconds(options.Value.TimeoutSeconds));
        var started = Stopwatch.GetTimestamp();
        // The outcome label is what makes an error ratio possible: a retried 5xx is otherwise invisible until it dead-letters.
        DeliveryResult? result = null;
        try
        {
            using var response = await clients.CreateClient(HttpClientName).SendAsync(request, HttpCompletionOption.ResponseHeadersRead, attempt.Token);
            var code = (int)response.StatusCode;
            if (response.IsSuccessStatusCode) return result = new DeliveryResult(DeliveryKind.Confirmed, code, "", null);
            var retryable = code is 408 or 429 || code >= 500;
            var retryAfter = response.Headers.RetryAfter is { } ra
                ? ra.Delta ?? (ra.Date is { } date ? date - DateTimeOffset.UtcNow : null)
                : null;
            return result = new DeliveryResult(retryable ? DeliveryKind.Retry : DeliveryKind.Rejected, code, $"HTTP {code}", retryAfter);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return result = new DeliveryResult(DeliveryKind.Retry, null, "timeout", null);
        }
        catch (HttpRequestException ex)
        {
            return result = new DeliveryResult(DeliveryKind.Retry, null, ex.HttpRequestError.ToString(), null);
        }
        finally
        {
            ChatMetrics.OrderApiDuration.WithLabels(ChatMetrics.OrderApiOutcome(result?.Kind))
                .Observe(Stopwatch.GetElapsedTime(started).TotalSeconds);
        }
    }
}
