using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;
using Relay.Chat.Access;
using Relay.Chat.Http;

namespace Relay.Chat.Crm;

/// <summary>
/// The CRM outbox's dead letters (admin token only): <c>GET /api/v1/crm/dead-letters</c> lists them newest first and
/// <c>POST /api/v1/crm/dead-letters/{eventId}/redeliver</c> puts one back into the outbox with the same id (so the same
/// Idempotency-Key and webhook-id) and a fresh round of Crm:MaxAttempts.
/// </summary>
internal static class CrmApi
{
    public const int MaxDeadLetters = 500;

    public static void Map(IEndpointRouteBuilder endpoints)
    {
        endpoints.MapGet("/api/v1/crm/dead-letters", ListAsync).RequireAuthorization(ApiPolicies.Admin)
            .WithTags("CRM").WithSummary("Dead-lettered CRM events of every channel, newest first (?limit=, at most 500; admin token only)");
        endpoints.MapPost("/api/v1/crm/dead-letters/{eventId}/redeliver", RedeliverAsync).RequireAuthorization(ApiPolicies.Admin)
            .WithTags("CRM").WithSummary("Put a dead-lettered CRM event back into the outbox (admin token only)");
    }

    private static async Task<Results<Ok<List<CrmDeadLetterView>>, ValidationProblem>> ListAsync(
        int? limit, ICrmOutbox outbox, CancellationToken cancellationToken)
    {
        if (limit is < 1 or > MaxDeadLetters)
            return TypedResults.ValidationProblem(
                new Dictionary<string, string[]> { ["limit"] = [$"must be between 1 and {MaxDeadLetters}"] }, title: "Invalid limit.");
        var rows = await outbox.ListDeadLettersAsync(limit ?? 100, cancellationToken);
        return TypedResults.Ok(rows.Select(CrmDeadLetterView.Of).ToList());
    }

    private static async Task<Results<Accepted<CrmRedeliveryAnswer>, NotFoundProblem, ConflictProblem>> RedeliverAsync(
        string eventId, ICrmOutbox outbox, CrmDispatchSignal signal, TimeProvider time, CancellationToken cancellationToken)
    {
        if (eventId.Length > 600) return new NotFoundProblem("No such CRM event.");
        switch (await outbox.RedeliverAsync(eventId, time.GetUtcNow(), cancellationToken))
        {
            case null:
                return new NotFoundProblem("No such CRM event.");
            case CrmEventStatus.DeadLetter:
                signal.Notify();
                return TypedResults.Accepted((string?)null, new CrmRedeliveryAnswer(eventId, CrmEventStatus.Pending));
            case var status:
                return new ConflictProblem("Only a dead-lettered CRM event can be redelivered.", $"The event is {status}.");
        }
    }
}
