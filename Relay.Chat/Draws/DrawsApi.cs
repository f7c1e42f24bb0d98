using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;
using Relay.Chat.Channels;
using Relay.Chat.Http;
using Relay.Chat.Ledger;

namespace Relay.Chat.Draws;

/// <summary>`GET /api/v1/channels/{id}/draws/{drawId}`: public (no auth): a draw's commitment, and once it ended its seed,
/// sorted entrant display ids and winners, so anyone can recompute the winners.</summary>
internal static class DrawsApi
{
    public const string MethodName =
        "sha256(seed) = commitment; E = entrant ids sorted by code point; for i in 0..min(winnerCount, n)-1: " +
        "r = int.from_bytes(HMAC-SHA256(seed, uint32_be(i)), 'big') mod (n - i); swap E[i], E[i + r]; winner i = E[i]";

    public static void Map(IEndpointRouteBuilder endpoints) =>
        endpoints.MapGet("/api/v1/channels/{id}/draws/{drawId}", GetAsync).AllowAnonymous()
            .WithTags("Draws").WithSummary("A draw and what anyone needs to recompute its winners");

    private static async Task<Results<Ok<DrawReport>, NotFoundProblem>> GetAsync(string id, string drawId, IChannelDirectory directory, IDrawStore store,
        CancellationToken cancellationToken)
    {
        if (id.Length > 128 || drawId.Length > 128 || await directory.FindChannelAsync(id, cancellationToken) is null)
            return new NotFoundProblem("No such channel.");
        if (await store.FindDrawAsync(id, drawId, cancellationToken) is not { } d) return new NotFoundProblem("No such draw.");
        return TypedResults.Ok(new DrawReport(d.DrawId, id, d.Sku, d.Winners, d.Requires, d.Commitment, d.StartedAt, d.EndsAt,
            d.Ended ? "ended" : "open", d.Entrants, d.Ended ? d.Seed : null, d.Ended ? d.EntrantIds ?? [] : null,
            d.Ended ? [.. d.WinnerList.Select(w => new DrawReportWinner(w.DisplayId, w.DisplayName))] : null, MethodName));
    }
}
