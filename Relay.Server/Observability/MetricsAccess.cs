using Relay.Server.Security;
using Microsoft.Extensions.Options;
using Relay.Chat.Access;
using Relay.Server.Configuration;

namespace Relay.Server.Observability;

/// <summary>
/// `/metrics` names every channel and its revenue (`relay_sales_amount_cents_total`), so with
/// <c>Relay:Metrics:Token</c> set a scrape must send it as a Bearer token. Unset keeps the endpoint open,
/// as before, for a Prometheus on a private network.
/// </summary>
public static class MetricsAccess
{
    public static IEndpointConventionBuilder RequireMetricsToken(this IEndpointConventionBuilder builder)
    {
        // prometheus-net maps a plain RequestDelegate (no endpoint filters), so the check wraps it.
        builder.Add(endpoint =>
        {
            var inner = endpoint.RequestDelegate!;
            endpoint.RequestDelegate = http =>
            {
                var token = http.RequestServices.GetRequiredService<IOptions<RelayOptions>>().Value.Metrics.Token;
                if (string.IsNullOrEmpty(token) || Secrets.Matches(BearerToken.From(http.Request), token))
                {
                    return inner(http);
                }
                http.Response.Headers.WWWAuthenticate = "Bearer";
                return TypedResults.Problem(
                    statusCode: StatusCodes.Status401Unauthorized,
                    title: "Authentication required",
                    detail: "Send 'Authorization: Bearer <Relay:Metrics:Token>'.").ExecuteAsync(http);
            };
        });
        return builder;
    }
}
