using System.Threading.RateLimiting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Options;
using Relay.Common.Net;
using Relay.Chat.Configuration;

namespace Relay.Chat.Identity;

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
