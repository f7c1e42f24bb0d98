using System.Globalization;
using System.Threading.RateLimiting;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Relay.Common.Net;
using Relay.Chat.Configuration;

namespace Relay.Chat.Identity;

/// <summary>`POST /api/v1/guests` (no auth): 201 `{guestId, guestToken, expiresAt}`; 429 with `Retry-After` past the
/// per-address mint budget.</summary>
internal static class GuestsApi
{
    public static void Map(IEndpointRouteBuilder endpoints) =>
        endpoints.MapPost("/api/v1/guests", Mint).AddEndpointFilter(LimitPerAddress)
            .WithTags("Guests").WithSummary("Mint a guest identity (no auth; rate-limited per address)")
            .Produces<MintedGuest>(StatusCodes.Status201Created).ProducesProblem(StatusCodes.Status429TooManyRequests);

    private static IResult Mint(HttpContext http, GuestTokens tokens)
    {
        var guest = tokens.Mint();
        // A credential: no shared cache may keep it.
        http.Response.Headers.CacheControl = "no-store";
        return Results.Json(guest, IdentityJsonContext.Default.MintedGuest, statusCode: StatusCodes.Status201Created);
    }

    private static async ValueTask<object?> LimitPerAddress(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        var http = context.HttpContext;
        using var lease = http.RequestServices.GetRequiredService<GuestMintLimiter>().AttemptAcquire(http);
        if (lease.IsAcquired) return await next(context);
        var wait = lease.TryGetMetadata(MetadataName.RetryAfter, out var retryAfter) ? retryAfter : TimeSpan.FromSeconds(1);
        var seconds = Math.Max(1, (int)Math.Ceiling(wait.TotalSeconds));
        http.Response.Headers.RetryAfter = seconds.ToString(CultureInfo.InvariantCulture);
        return Results.Problem(statusCode: StatusCodes.Status429TooManyRequests, title: "Too many guest identities from this address.",
            detail: $"Keep the guest token you already have (it is valid for days); a new one can be minted in {seconds} s.");
    }
}

/// <summary>
/// The per-address mint budget: a token bucket per <see cref="ClientAddressKey.Text"/> from System.Threading.RateLimiting,
/// the limiter behind ASP.NET Core's rate-limiting middleware. It is applied by the endpoint's own filter rather than
/// through the middleware so the limit travels with the endpoint (a host that maps it without UseRateLimiter still
/// limits) and its 429 does not depend on the middleware's global OnRejected, which other policies share.
/// </summary>
internal sealed class GuestMintLimiter : IAsyncDisposable
{
    private readonly PartitionedRateLimiter<HttpContext> _limiter;

    public GuestMintLimiter(IOptions<GuestOptions> options)
    {
        var o = options.Value;
        var bucket = new TokenBucketRateLimiterOptions
        {
            TokenLimit = o.MintBurstPerAddress,
            TokensPerPeriod = 1,
            ReplenishmentPeriod = TimeSpan.FromMinutes(1) / o.MintsPerMinutePerAddress,
            QueueLimit = 0,
            AutoReplenishment = true,
        };
        // Idle partitions (full buckets) are dropped by the partitioned limiter, so memory follows active addresses.
        _limiter = PartitionedRateLimiter.Create<HttpContext, string>(http =>
            RateLimitPartition.GetTokenBucketLimiter(ClientAddressKey.Text(http.Connection.RemoteIpAddress), _ => bucket));
    }

    public RateLimitLease AttemptAcquire(HttpContext http) => _limiter.AttemptAcquire(http);

    public ValueTask DisposeAsync() => _limiter.DisposeAsync();
}
