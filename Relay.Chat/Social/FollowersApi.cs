using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;
using Relay.Chat.Access;
using Relay.Chat.Channels;
using Relay.Chat.Http;
using Relay.Chat.Orders;

namespace Relay.Chat.Social;

/// <summary><c>GET /api/v1/channels/{id}/followers</c> (the channel's host key or the admin token): the current followers,
/// oldest follow first, <c>?limit=</c> (default 100, at most 1000) and <c>&amp;cursor=</c> -> <c>{total, items, nextCursor}</c>.</summary>
internal static class FollowersApi
{
    public const int DefaultLimit = 100;

    public static void Map(IEndpointRouteBuilder endpoints)
    {
        endpoints.MapGet("/api/v1/channels/{id}/followers", ListAsync).RequireAuthorization(ApiPolicies.ChannelHost)
            .WithTags("Followers").WithSummary("A channel's followers (signed-in viewers), oldest follow first")
            .WithMetadata(PagedList.Instance);
    }

    private static async Task<Results<Ok<FollowersPage>, NotFoundProblem, ValidationProblem>> ListAsync(
        HttpContext http, string id, IChannelDirectory directory, IFollowers followers, CancellationToken cancellationToken)
    {
        if (await directory.FindChannelAsync(id, cancellationToken) is null)
            return new NotFoundProblem("No such channel.");
        var (page, badPage) = ListPage.Read(http.Request);
        if (badPage is not null) return badPage;
        page ??= new ListPage(DefaultLimit, null);
        var rows = await followers.ListAsync(id, page.After, page.Limit + 1, cancellationToken);
        var last = rows.Count > page.Limit ? rows[page.Limit - 1] : null;
        return TypedResults.Ok(new FollowersPage(
            await followers.CountAsync(id, cancellationToken),
            rows.Take(page.Limit).Select(FollowerView.Of).ToList(),
            last is null ? null : new ListCursor(last.FollowedAt.ToUnixTimeMilliseconds(), last.BuyerId).Encode()));
    }
}
