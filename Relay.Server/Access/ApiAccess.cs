using Relay.Server.Channels;

namespace Relay.Server.Access;

/// <summary>Who a request is: the admin, the host of one channel, or nobody.</summary>
public readonly record struct Caller(bool IsAdmin, string? HostOfChannel)
{
    public bool MayManage(string channelId) => IsAdmin || HostOfChannel == channelId;
}

/// <summary>
/// Bearer authentication for the REST API. Kept as endpoint filters rather than an
/// authentication scheme: there are two kinds of credential and one rule per endpoint group.
/// </summary>
public static class ApiAccess
{
    public static string? BearerToken(HttpContext http)
    {
        var header = http.Request.Headers.Authorization.ToString();
        return header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase) ? header[7..].Trim() : null;
    }

    /// <summary>Admin token only (creating, listing, deleting channels).</summary>
    public static RouteHandlerBuilder RequireAdmin(this RouteHandlerBuilder builder) =>
        builder.AddEndpointFilter(async (ctx, next) =>
        {
            var http = ctx.HttpContext;
            var token = BearerToken(http);
            if (token is null)
            {
                return Unauthorized();
            }
            if (!http.RequestServices.GetRequiredService<AdminToken>().Matches(token))
            {
                return Forbidden("this endpoint needs the admin token");
            }
            return await next(ctx);
        });

    /// <summary>Admin token, or the host key of the channel named by the route's <c>id</c>.</summary>
    public static RouteHandlerBuilder RequireChannelAccess(this RouteHandlerBuilder builder) =>
        builder.AddEndpointFilter(async (ctx, next) =>
        {
            var http = ctx.HttpContext;
            var token = BearerToken(http);
            if (token is null)
            {
                return Unauthorized();
            }
            if (http.RequestServices.GetRequiredService<AdminToken>().Matches(token))
            {
                return await next(ctx);
            }
            var channelId = http.GetRouteValue("id") as string;
            var channels = http.RequestServices.GetRequiredService<ChannelService>();
            if (channelId is not null && channels.IsHostKey(channelId, token))
            {
                return await next(ctx);
            }
            return Forbidden("use the admin token or this channel's host key");
        });

    private static IResult Unauthorized() => TypedResults.Problem(
        statusCode: StatusCodes.Status401Unauthorized,
        title: "Authentication required",
        detail: "Send 'Authorization: Bearer <admin token or channel host key>'.");

    private static IResult Forbidden(string detail) => TypedResults.Problem(
        statusCode: StatusCodes.Status403Forbidden, title: "Not allowed", detail: detail);
}
