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
/// A token that is no credential at all is 401 (with <c>WWW-Authenticate: Bearer</c>); a real
/// credential that does not reach this endpoint (another channel's host key) is 403.
/// </summary>
public static class ApiAccess
{
    public static string? BearerToken(HttpContext http)
    {
        var header = http.Request.Headers.Authorization.ToString();
        if (!header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase))
        {
            return null;
        }
        var token = header[7..].Trim();
        return token.Length > 0 ? token : null;
    }

    /// <summary>The caller the access filter admitted; only set on endpoints behind one of the filters below.</summary>
    public static Caller CallerOf(HttpContext http) =>
        http.Items.TryGetValue(typeof(Caller), out var caller) && caller is Caller c ? c : default;

    /// <summary>Admin token only (creating, listing, deleting channels).</summary>
    public static RouteHandlerBuilder RequireAdmin(this RouteHandlerBuilder builder) =>
        builder.AddEndpointFilter(async (ctx, next) =>
        {
            var http = ctx.HttpContext;
            var token = BearerToken(http);
            if (token is null)
            {
                return Unauthorized(http, "Send 'Authorization: Bearer <admin token>'.");
            }
            if (!http.RequestServices.GetRequiredService<AdminToken>().Matches(token))
            {
                return http.RequestServices.GetRequiredService<ChannelService>().IsAnyHostKey(token)
                    ? Forbidden("this endpoint needs the admin token")
                    : Unauthorized(http, "The bearer token is not the admin token or a channel's host key.");
            }
            http.Items[typeof(Caller)] = new Caller(true, null);
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
                return Unauthorized(http, "Send 'Authorization: Bearer <admin token or channel host key>'.");
            }
            if (http.RequestServices.GetRequiredService<AdminToken>().Matches(token))
            {
                http.Items[typeof(Caller)] = new Caller(true, null);
                return await next(ctx);
            }
            var channelId = http.GetRouteValue("id") as string;
            var channels = http.RequestServices.GetRequiredService<ChannelService>();
            if (channelId is not null && channels.IsHostKey(channelId, token))
            {
                http.Items[typeof(Caller)] = new Caller(false, channelId);
                return await next(ctx);
            }
            return channels.IsAnyHostKey(token)
                ? Forbidden("use the admin token or this channel's host key")
                : Unauthorized(http, "The bearer token is not the admin token or a channel's host key (a rotated key stops working at once).");
        });

    private static IResult Unauthorized(HttpContext http, string detail)
    {
        // RFC 6750: a 401 names the scheme the client should use.
        http.Response.Headers.WWWAuthenticate = "Bearer";
        return TypedResults.Problem(statusCode: StatusCodes.Status401Unauthorized, title: "Authentication required", detail: detail);
    }

    private static IResult Forbidden(string detail) => TypedResults.Problem(
        statusCode: StatusCodes.Status403Forbidden, title: "Not allowed", detail: detail);
}
