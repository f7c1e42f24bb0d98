using System.Text.Json;
using Microsoft.AspNetCore.Http.HttpResults;
using Relay.Chat.Access;
using Relay.Chat.Channels;
using Relay.Chat.Http;
using Relay.Server.Access;
using Relay.Server.Channels;

namespace Relay.Server.Apis;

/// <summary><c>/api/v1/channels/{id}/lineup</c>: the products of the show.</summary>
public static class LineupApi
{
    private static readonly string[] ItemFields = ["sku", "title", "priceCents", "currency", "imageUrl", "stock", "memberPriceCents"];

    public static IEndpointRouteBuilder MapLineupApi(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/v1/channels/{id}/lineup").WithTags("Lineup");
        group.MapGet("/", Get).RequireAuthorization(ApiPolicies.ChannelHost)
            .WithSummary("The show's products");
        group.MapPut("/", Put).RequireAuthorization(ApiPolicies.ChannelHost)
            .WithSummary("Replace the show's products (?resetStock=true starts a new sold count)")
            .Accepts<List<LineupItem>>("application/json");
        return app;
    }

    private static Results<Ok<IReadOnlyList<LineupItem>>, NotFoundProblem> Get(string id, ChannelService channels) =>
        channels.Find(id) is { } c ? TypedResults.Ok(c.Lineup) : ApiProblems.NotFound($"no channel '{id}'");

    private static async Task<Results<CatalogResult<Ok<IReadOnlyList<LineupItem>>>, NotFoundProblem, BodyProblem, ValidationProblem>> Put(string id, HttpRequest request, ChannelService channels, CancellationToken ct)
    {
        if (channels.Find(id) is null)
        {
            return ApiProblems.NotFound($"no channel '{id}'");
        }
        if (!TryReadResetStock(request, out var resetStock))
        {
            return ApiProblems.Invalid("resetStock", "must be true or false");
        }
        var (body, error) = await ApiProblems.ReadBodyAsync(request, JsonValueKind.Array, ct);
        if (error is not null)
        {
            return error;
        }
        var errors = new List<FieldError>();
        var items = new List<LineupItem?>();
        var i = 0;
        foreach (var e in body.EnumerateArray())
        {
            var at = $"[{i++}].";
            if (e.ValueKind != JsonValueKind.Object)
            {
                items.Add(null);
                continue;
            }
            ApiProblems.RejectUnknown(e, ItemFields, at, errors);
            items.Add(new LineupItem(
                ApiProblems.Get<string>(e, "sku", errors, at + "sku")!,
                ApiProblems.Get<string>(e, "title", errors, at + "title")!,
                ApiProblems.Has(e, "priceCents") ? ApiProblems.Get<long>(e, "priceCents", errors, at + "priceCents") : -1,
                ApiProblems.Get<string>(e, "currency", errors, at + "currency")!,
                ApiProblems.Get<string>(e, "imageUrl", errors, at + "imageUrl"),
                ApiProblems.Get<int?>(e, "stock", errors, at + "stock"),
                ApiProblems.Get<long?>(e, "memberPriceCents", errors, at + "memberPriceCents")));
        }
        InputRules.CheckLineup(items, "", errors);
        if (errors.Count > 0)
        {
            return ApiProblems.Invalid(errors);
        }
        var lineup = items.Select(x => x!).ToList();
        return ApiProblems.From(await channels.SetLineupAsync(id, lineup, resetStock, ct), c => TypedResults.Ok(c!.Lineup));
    }

    /// <summary><c>?resetStock=true</c> starts a new sold count for the listed products (a new show); absent = false.</summary>
    private static bool TryReadResetStock(HttpRequest request, out bool resetStock)
    {
        resetStock = false;
        var values = request.Query["resetStock"];
        return values.Count == 0 || (values.Count == 1 && bool.TryParse(values[0], out resetStock));
    }
}
