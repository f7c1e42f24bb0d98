using System.Globalization;
using System.Threading.RateLimiting;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

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
        return Results.Json(guest, statusCode: StatusCodes.Status201Created);
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
