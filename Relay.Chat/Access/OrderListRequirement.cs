using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Http;

namespace Relay.Chat.Access;

/// <summary>
/// The <see cref="ApiPolicies.OrderListReader"/> rule for <c>GET /api/v1/orders?channel=</c>: the built-in order API's
/// key, or whoever may operate that channel (<see cref="ChannelHostRequirement"/>). Without a <c>channel</c> the request
/// passes on to the endpoint, which answers 400 naming the field whoever sent it, as it always has.
/// </summary>
public sealed class OrderListRequirement : AuthorizationHandler<OrderListRequirement>, IAuthorizationRequirement
{
    protected override async Task HandleRequirementAsync(AuthorizationHandlerContext context, OrderListRequirement requirement)
    {
        if (context.Resource is not HttpContext http)
        {
            return;
        }
        var channel = http.Request.Query["channel"].ToString();
        if (channel.Length == 0 || context.User.IsInRole(ApiRoles.OrderApi)
            || await ChannelHostRequirement.MayOperateAsync(context.User, http, channel))
        {
            context.Succeed(requirement);
        }
    }
}
