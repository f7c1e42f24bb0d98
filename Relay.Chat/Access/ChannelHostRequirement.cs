using System.Security.Claims;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Relay.Chat.Channels;

namespace Relay.Chat.Access;

/// <summary>
/// The <see cref="ApiPolicies.ChannelHost"/> rule: the admin, or a host whose key is the current host key of the channel
/// in the route's <c>{id}</c>. The channel comes from the request (the resource endpoint routing hands to authorization),
/// so one policy serves every channel; another channel's host key is a real credential, hence 403, not 401.
/// </summary>
public sealed class ChannelHostRequirement : AuthorizationHandler<ChannelHostRequirement>, IAuthorizationRequirement
{
    /// <summary>The route value every channel-scoped endpoint names its channel by.</summary>
    public const string RouteValue = "id";

    protected override async Task HandleRequirementAsync(AuthorizationHandlerContext context, ChannelHostRequirement requirement)
    {
        if (context.Resource is HttpContext http && await MayOperateAsync(context.User, http, http.GetRouteValue(RouteValue) as string))
        {
            context.Succeed(requirement);
        }
    }

    /// <summary>Admin, or the host key of <paramref name="channelId"/> (checked again here: the principal says only "a host key").</summary>
    internal static async ValueTask<bool> MayOperateAsync(ClaimsPrincipal user, HttpContext http, string? channelId)
    {
        if (user.IsInRole(ApiRoles.Admin))
        {
            return true;
        }
        return user.IsInRole(ApiRoles.Host) && !string.IsNullOrEmpty(channelId) && BearerToken.From(http.Request) is { } token
            && await http.RequestServices.GetRequiredService<IChannelDirectory>().IsHostKeyAsync(channelId, token, http.RequestAborted);
    }
}
