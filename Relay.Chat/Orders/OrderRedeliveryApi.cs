using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;
using Relay.Chat.Access;
using Relay.Chat.Channels;
using Relay.Chat.Http;

namespace Relay.Chat.Orders;

/// <summary>
/// `POST /api/v1/orders/{orderId}/redeliver` (admin token only): a dead letter goes back into the outbox with the same
/// Idempotency-Key. Only the operator who checked the order with the brand should do this, so a host key is refused.
/// </summary>
internal static class OrderRedeliveryApi
{
    /// <summary>The most a dead-letter list returns: the console shows what needs a person, not an archive.</summary>
    public const int MaxDeadLetters = 500;

    public static void Map(IEndpointRouteBuilder endpoints)
    {
        endpoints.MapPost("/api/v1/orders/{orderId}/redeliver", RedeliverAsync).RequireAuthorization(ApiPolicies.Admin)
            .WithTags("Orders").WithSummary("Put a dead-lettered order back into the outbox (admin token only)");
        endpoints.MapGet("/api/v1/dead-letters", ListAsync).RequireAuthorization(ApiPolicies.Admin)
            .WithTags("Orders").WithSummary($"Dead-lettered orders of every channel, newest first (?limit=, at most 500; admin token only)");
    }

    private static async Task<Results<Ok<List<DeadLetterView>>, ValidationProblem>> ListAsync(
        int? limit, IOrderStore orders, CancellationToken cancellationToken)
    {
        if (limit is < 1 or > MaxDeadLetters)
        {
            return TypedResults.ValidationProblem(
                new Dictionary<string, string[]> { ["limit"] = [$"must be between 1 and {MaxDeadLetters}"] }, title: "Invalid limit.");
        }
        var rows = await orders.ListDeadLettersAsync(limit ?? 100, cancellationToken);
        return TypedResults.Ok(rows.Select(DeadLetterView.Of).ToList());
    }

    private static async Task<Results<Accepted<OrderAnswer>, NotFoundProblem, ConflictProblem>> RedeliverAsync(
        string orderId, IDeadLetters deadLetters, OrderDispatchSignal signal,
        TimeProvider time, CancellationToken cancellationToken)
    {
        var result = await deadLetters.RedeliverAsync(orderId, time.GetUtcNow(), cancellationToken);
        switch (result.Outcome)
        {
            case RedeliveryOutcome.UnknownOrder:
                return new NotFoundProblem("No such order.");
            case RedeliveryOutcome.NotDeadLettered:
                return new ConflictProblem("Only a dead-lettered order can be redelivered.", $"The order is {result.Status}.");
            default:
                signal.Notify();
                return TypedResults.Accepted((string?)null, new OrderAnswer(orderId, OrderStatus.Pending));
        }
    }
}
