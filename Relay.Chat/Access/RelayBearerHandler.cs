using System.Security.Claims;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Relay.Chat.Channels;

namespace Relay.Chat.Access;

/// <summary>
/// Turns the bearer token into a principal whose role says what the credential is (<see cref="ApiRoles"/>), and
/// answers the refusals as RFC 7807 problems: the challenge is 401 with <c>WWW-Authenticate: Bearer</c> (no token, or
/// one that is no credential at all, such as a rotated key), the forbid is 403 (a real credential the policy does not
/// admit). Every comparison is constant-time (the host's <see cref="IChannelDirectory"/> and
/// <see cref="IHostCredentials"/>, <see cref="IBuiltInOrderApiKey"/>), and nothing here logs or echoes a token.
/// </summary>
public sealed class RelayBearerHandler(
    IOptionsMonitor<AuthenticationSchemeOptions> options,
    ILoggerFactory logger,
    UrlEncoder encoder,
    IChannelDirectory directory,
    IHostCredentials credentials,
    IBuiltInOrderApiKey orders)
    : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    protected override async Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        if (BearerToken.From(Request) is not { } token)
        {
            return AuthenticateResult.NoResult();
        }
        // Keys are checked on every request rather than cached in a ticket, so a rotated key stops working at once.
        var role = await directory.IsAdminTokenAsync(token, Context.RequestAborted) ? ApiRoles.Admin
            : orders.IsBuiltIn && orders.IsBuiltInKey(token) ? ApiRoles.OrderApi
            : credentials.IsKnownCredential(token) ? ApiRoles.Host
            : null;
        if (role is null)
        {
            return AuthenticateResult.Fail("The bearer token is not a credential of this relay.");
        }
        var identity = new ClaimsIdentity([new Claim(ClaimTypes.Role, role)], Scheme.Name);
        return AuthenticateResult.Success(new AuthenticationTicket(new ClaimsPrincipal(identity), Scheme.Name));
    }

    protected override Task HandleChallengeAsync(AuthenticationProperties properties)
    {
        // RFC 6750: a 401 names the scheme the client should use.
        Response.Headers.WWWAuthenticate = "Bearer";
        var detail = BearerToken.From(Request) is null
            ? "Send 'Authorization: Bearer <admin token or channel host key>'."
            : "The bearer token is not the admin token or a channel's host key (a rotated key stops working at once).";
        return TypedResults.Problem(statusCode: StatusCodes.Status401Unauthorized, title: "Authentication required", detail: detail)
            .ExecuteAsync(Context);
    }

    protected override Task HandleForbiddenAsync(AuthenticationProperties properties)
    {
        var policy = Context.GetEndpoint()?.Metadata.GetMetadata<IAuthorizeData>()?.Policy;
        return TypedResults.Problem(statusCode: StatusCodes.Status403Forbidden, title: "Not allowed", detail: ApiPolicies.ForbiddenDetail(policy))
            .ExecuteAsync(Context);
    }
}
