using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;
using Relay.Chat.Access;
using Relay.Chat.Channels;
using Relay.Chat.Http;
using Relay.Chat.Referrals;

namespace Relay.Chat.Orders;

/// <summary>`GET /api/v1/channels/{id}/referrals` (the channel's host key or the admin token): what each share code
/// brought the channel, ordered by share code; `?limit=&amp;cursor=` pages like the other lists.</summary>
internal static class ReferralsApi
{
    public static void Map(IEndpointRouteBuilder endpoints) =>
        endpoints.MapGet("/api/v1/channels/{id}/referrals", ListAsync).RequireAuthorization(ApiPolicies.ChannelHost)
            .WithTags("Orders").WithSummary("Share codes of the channel: visits (once per visitor and show), buyers, confirmed orders, units, GMV")
            .WithMetadata(PagedList.Instance);

    private static async Task<Results<Ok<ItemsPage<ReferralLine>>, Ok<List<ReferralLine>>, NotFoundProblem, ValidationProblem>> ListAsync(
        HttpContext http, string id, IChannelDirectory directory, IReferralStore referrals, CancellationToken cancellationToken)
    {
        if (await directory.FindChannelAsync(id, cancellationToken) is null)
            return new NotFoundProblem("No such channel.");
        var (page, badPage) = ListPage.Read(http.Request);
        if (badPage is not null) return badPage;
        if (page is not null)
        {
            var rows = await referrals.ListAsync(id, page.After?.Id, page.Limit + 1, cancellationToken);
            var last = rows.Count > page.Limit ? rows[page.Limit - 1] : null;
            return TypedResults.Ok(new ItemsPage<ReferralLine>(
                rows.Take(page.Limit).ToList(), last is null ? null : new ListCursor(0, last.ShareCode).Encode()));
        }
        return TypedResults.Ok((await referrals.ListAsync(id, null, int.MaxValue, cancellationToken)).ToList());
    }
}
