using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Relay.Chat.Access;
using Relay.Chat.Channels;

namespace Relay.Chat.Orders;

/// <summary>
/// `POST /api/v1/orders/{orderId}/redeliver` (admin token only): a dead letter goes back into the outbox with the same
/// Idempotency-Key. Only the operator who checked the order with the brand should do this, so a host key is refused.
/// </summary>
internal static class OrderRedeliveryApi
{
    public static void Map(IEndpointRouteBuilder endpoints) =>
        endpoints.MapPost("/api/v1/orders/{orderId}/redeliver", RedeliverAsync).RequireAuthorization(ApiPolicies.Admin)
            .WithTags("Orders").WithSummary("Put a dead-lettered order back into the outbox (admin token only)")
            .Produces<OrderAnswer>(StatusCodes.Status202Accepted)
            .ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status409Conflict);

    private static async Task<IResult> RedeliverAsync(
        string orderId, IDeadLetters deadLetters, OrderDispatchSignal signal,
        TimeProvider time, CancellationToken cancellationToken)
    {
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
                return Results.Json(new OrderAnswer(orderId, OrderStatus.Pending), OrdersJsonContext.Default.OrderAnswer, statusCode: StatusCodes.Status202Accepted);
        }
    }
}
