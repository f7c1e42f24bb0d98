using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Relay.Chat.Channels;

namespace Relay.Chat.Orders;

/// <summary>
/// `POST /api/v1/orders/{orderId}/redeliver` (admin token only): a dead letter goes back into the outbox with the same
/// Idempotency-Key. Only the operator who checked the order with the brand should do this, so a host key is refused.
/// </summary>
internal static class OrderRedeliveryApi
{
    public static void Map(IEndpointRouteBuilder endpoints) =>
        endpoints.MapPost("/api/v1/orders/{orderId}/redeliver", RedeliverAsync);

    private static async Task<IResult> RedeliverAsync(
        HttpContext http, string orderId, IChannelDirectory directory, IDeadLetters deadLetters, OrderDispatchSignal signal,
        TimeProvider time, CancellationToken cancellationToken)
    {
        var header = http.Request.Headers.Authorization.ToString();
        var token = header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase) ? header["Bearer ".Length..].Trim() : "";
        if (token.Length == 0)
        {
            http.Response.Headers.WWWAuthenticate = "Bearer";
            return Results.Problem(statusCode: StatusCodes.Status401Unauthorized, title: "A bearer token is required.");
        }
        if (!await directory.IsAdminTokenAsync(token, cancellationToken))
            return Results.Problem(statusCode: StatusCodes.Status403Forbidden, title: "Only the admin token may redeliver an order.");

        var result = await deadLetters.RedeliverAsync(orderId, time.GetUtcNow(), cancellationToken);
        switch (result.Outcome)
        {
            case RedeliveryOutcome.UnknownOrder:
                return Results.Problem(statusCode: StatusCodes.Status404NotFound, title: "No such order.");
            case RedeliveryOutcome.NotDeadLettered:
                return Results.Problem(statusCode: StatusCodes.Status409Conflict, title: "Only a dead-lettered order can be redelivered.",
                    detail: $"The order is {result.Status}.");
            default:
                signal.Notify();
                return Results.Json(new { orderId, status = OrderStatus.Pending }, statusCode: StatusCodes.Status202Accepted);
        }
    }
}
