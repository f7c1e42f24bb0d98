using System.Threading.RateLimiting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Options;
using Relay.Chat.Configuration;
using Relay.Common.Limits;
using Relay.Common.Net;

namespace Relay.Chat.Identity;

/// <summary>
/// The per-address mint budget: a token bucket per <see cref="ClientAddressKey.Text"/> (<c>MintBurstPerAddress</c> at
/// once, refilled at <c>MintsPerMinutePerAddress</c>), in the same timerless <see cref="ClientLimiters{TKey}"/> as the
/// HTTP load limits: nothing runs between mints, and an address idle with a full bucket is forgotten on a later mint.
/// It is applied by the endpoint's own filter rather than through the rate-limiting middleware so the limit travels
/// with the endpoint (a host that maps it without UseRateLimiter still limits) and its 429 does not depend on the
/// middleware's global OnRejected, which other policies share.
/// </summary>
internal sealed class GuestMintLimiter : IDisposable
{
    private readonly ClientLimiters<string> _perAddress;

    public GuestMintLimiter(IOptions<GuestOptions> options, TimeProvider time)
    {
        var o = options.Value;
        var bucket = new TokenBucketRateLimiterOptions
        {
            TokenLimit = o.MintBurstPerAddress,
            TokensPerPeriod = 1,
            ReplenishmentPeriod = TimeSpan.FromMinutes(1) / o.MintsPerMinutePerAddress,
            QueueLimit = 0,
            AutoReplenishment = false,
        };
        _perAddress = new ClientLimiters<string>(_ => new RefillOnUseTokenBucket(bucket, time), time);
    }

    public RateLimitLease AttemptAcquire(HttpContext http) => _perAddress.AttemptAcquire(ClientAddressKey.Text(http.Connection.RemoteIpAddress), 1);

    public void Dispose() => _perAddress.Dispose();
}
