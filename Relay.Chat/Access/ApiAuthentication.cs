using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authorization;
using Microsoft.Extensions.DependencyInjection;

namespace Relay.Chat.Access;

/// <summary>
/// The REST API's bearer credentials (admin token, channel host keys, the built-in order API's key) as one ASP.NET Core
/// authentication scheme with named authorization policies, for every API of the process: the host's channel API and
/// this assembly's order endpoints alike. It lives here, below the host, because this assembly maps endpoints that
/// need it and cannot see the host; the host answers the credential questions through <see cref="Channels.IChannelDirectory"/>
/// and <see cref="Channels.IHostCredentials"/>.
/// </summary>
/// <remarks>
/// The scheme is not the default one: only endpoints that require a policy authenticate, so the hub, the pages and
/// playback never pay for it. 401 (with <c>WWW-Authenticate: Bearer</c>) is the scheme's challenge (no token, or one
/// that is no credential); 403 is its forbid (a real credential that the policy does not admit).
/// </remarks>
public static class ApiAuthentication
{
    public const string Scheme = "RelayBearer";

    /// <summary>Registers the scheme and the policies; a second call (host and chat both ask for it) does nothing.</summary>
    public static IServiceCollection AddRelayApiAuthentication(this IServiceCollection services)
    {
        if (services.Any(d => d.ServiceType == typeof(RelayBearerHandler)))
        {
            return services;
        }
        services.AddAuthentication().AddScheme<AuthenticationSchemeOptions, RelayBearerHandler>(Scheme, displayName: null, _ => { });
        services.AddAuthorizationBuilder()
            .AddPolicy(ApiPolicies.Admin, p => p.AddAuthenticationSchemes(Scheme).RequireRole(ApiRoles.Admin))
            .AddPolicy(ApiPolicies.ChannelHost, p => p.AddAuthenticationSchemes(Scheme).AddRequirements(new ChannelHostRequirement()))
            .AddPolicy(ApiPolicies.OrderApi, p => p.AddAuthenticationSchemes(Scheme).RequireRole(ApiRoles.OrderApi))
            .AddPolicy(ApiPolicies.OrderListReader, p => p.AddAuthenticationSchemes(Scheme).AddRequirements(new OrderListRequirement()));
        return services;
    }
}
