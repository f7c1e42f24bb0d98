using System.Net;
using System.Threading.RateLimiting;
using Microsoft.AspNetCore.HttpOverrides;
using Microsoft.Extensions.Options;
using Relay.Ingest.Net;

namespace Relay.Server.Limits;

/// <summary>Wires the client address (forwarded headers from known proxies only) and the HTTP load limits.</summary>
public static class LoadLimitsExtensions
{
    /// <summary>Refused connections are told to come back later; a concurrency limit has no exact time to offer.</summary>
    private const int ConcurrencyRetryAfterSeconds = 5;

    public static IServiceCollection AddRelayLoadLimits(this IServiceCollection services)
    {
        services.AddOptions<LoadLimitsOptions>().BindConfiguration(LoadLimitsOptions.Section).ValidateOnStart();
        services.AddSingleton<IValidateOptions<LoadLimitsOptions>, LoadLimitsOptionsValidator>();
        services.AddOptions<TrustedProxyOptions>().BindConfiguration(TrustedProxyOptions.Section).ValidateOnStart();
        services.AddSingleton<IValidateOptions<TrustedProxyOptions>, TrustedProxyOptionsValidator>();

        services.AddOptions<ForwardedHeadersOptions>().Configure<IOptions<TrustedProxyOptions>>((forwarded, trusted) =>
        {
            // The framework trusts loopback by default; Relay trusts exactly the configured proxies and nothing else,
            // so a client cannot pick its own address for the per-IP limits with an X-Forwarded-For header.
            forwarded.ForwardedHeaders = ForwardedHeaders.XForwardedFor | ForwardedHeaders.XForwardedProto | ForwardedHeaders.XForwardedHost;
            forwarded.KnownProxies.Clear();
            forwarded.KnownIPNetworks.Clear();
            forwarded.ForwardLimit = trusted.Value.ForwardLimit;
            foreach (var proxy in trusted.Value.KnownProxies)
            {
                forwarded.KnownProxies.Add(IPAddress.Parse(proxy));
            }

            foreach (var network in trusted.Value.KnownNetworks)
            {
                forwarded.KnownIPNetworks.Add(System.Net.IPNetwork.Parse(network));
            }
        });

        // Not the framework's rate-limiting middleware: besides the global limiter it always builds a partitioned
        // limiter for endpoint policies (Relay has none), whose 100 ms timer wakes an idle server ten times a second.
        services.AddSingleton(provider => new HttpLoadLimiter(provider.GetRequiredService<IOptions<LoadLimitsOptions>>().Value, provider.GetRequiredService<TimeProvider>()));
        return services;
    }

    /// <summary>Before anything that reads the client address; the limiter before anything that does work.</summary>
    public static WebApplication UseRelayLoadLimits(this WebApplication app)
    {
        // Read from configuration, not the options: they are validated at start together with every other section.
        var trusted = app.Configuration.GetSection(TrustedProxyOptions.Section);
        if (trusted.GetSection(nameof(TrustedProxyOptions.KnownProxies)).GetChildren().Any()
            || trusted.GetSection(nameof(TrustedProxyOptions.KnownNetworks)).GetChildren().Any())
        {
            // Without a configured proxy the TCP peer is the client, and no header can say otherwise.
            app.UseForwardedHeaders();
        }

        app.Use(async (context, next) =>
        {
            // Resolved per request, not here: resolving reads the options, and start-up validation must report every
            // invalid section at once rather than stop at this one.
            var limiter = context.RequestServices.GetRequiredService<HttpLoadLimiter>();
            // The lease is held until the request ends: a WebSocket, SSE or HTTP-FLV session is one open connection.
            using var lease = limiter.AttemptAcquire(context);
            if (lease.IsAcquired)
            {
                await next(context);
            }
            else
            {
                await RejectAsync(context, lease);
            }
        });
        return app;
    }

    private static async Task RejectAsync(HttpContext context, RateLimitLease lease)
    {
        var limit = context.Items[HttpLoadLimiter.RefusedLimitItem] as string ?? LoadLimitMetrics.RestPerIp;
        LoadLimitMetrics.Refused.WithLabels(limit).Inc();
        var retryAfter = lease.TryGetMetadata(MetadataName.RetryAfter, out var wait)
            ? Math.Max(1, (int)Math.Ceiling(wait.TotalSeconds))
            : ConcurrencyRetryAfterSeconds;
        await WriteTooManyAsync(context, retryAfter, Describe(limit));
    }

    /// <summary>A 429 as RFC 7807 problem+json with <c>Retry-After</c>.</summary>
    private static Task WriteTooManyAsync(HttpContext context, int retryAfterSeconds, string detail)
    {
        var response = context.Response;
        response.StatusCode = StatusCodes.Status429TooManyRequests;
        response.Headers.RetryAfter = retryAfterSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
        return Results.Problem(statusCode: StatusCodes.Status429TooManyRequests, title: "Too many requests", detail: detail)
            .ExecuteAsync(context);
    }

    private static string Describe(string limit) => limit switch
    {
        LoadLimitMetrics.HubPerIp => "too many live connections from this address (Relay:Limits:HubConnectionsPerIp)",
        LoadLimitMetrics.HubTotal => "this server has as many live connections as it accepts (Relay:Limits:HubConnections)",
        LoadLimitMetrics.FlvPerIp => "too many HTTP-FLV viewers from this address (Relay:Limits:FlvViewersPerIp)",
        LoadLimitMetrics.FlvTotal => "this server has as many HTTP-FLV viewers as it accepts (Relay:Limits:FlvViewers)",
        _ => "too many requests from this address (Relay:Limits:RestRequestsPerSecondPerIp)",
    };
}
