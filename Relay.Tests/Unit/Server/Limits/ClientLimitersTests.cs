using Relay.Tests.Common;
using Relay.Tests.Common.Hosts;
using Relay.Tests.Common.Media;
using Relay.Tests.Common.Peers;
using Relay.Tests.Common.Chat;
using System.Threading.RateLimiting;
using Relay.Server.Limits;

namespace Relay.Tests.Unit.Server.Limits;

/// <summary>
/// The per-address limiters behind the HTTP load limits, without the framework's 100 ms refill timer: a spent bucket
/// refills from elapsed time when it is next used, an idle limiter is dropped, a limiter holding a lease is not.
/// </summary>
public sealed class ClientLimitersTests
{
    private static TokenBucketRateLimiter Bucket() => new(new TokenBucketRateLimiterOptions
    {
        TokenLimit = 2,
        TokensPerPeriod = 1,
        ReplenishmentPeriod = TimeSpan.FromMilliseconds(100),
        AutoReplenishment = false,
        QueueLimit = 0,
    });

    [Fact]
    public async Task A_spent_bucket_refills_from_the_time_elapsed_when_next_used()
    {
        using var limiters = new ClientLimiters<string>(_ => Bucket());
        Assert.True(limiters.AttemptAcquire("a", 1).IsAcquired);
        Assert.True(limiters.AttemptAcquire("a", 1).IsAcquired);
        using var refused = limiters.AttemptAcquire("a", 1);
        Assert.False(refused.IsAcquired);
        Assert.True(refused.TryGetMetadata(MetadataName.RetryAfter, out _), "a refusal says when to retry");
        Assert.True(limiters.AttemptAcquire("b", 1).IsAcquired, "another key has its own bucket");

        // 10 tokens/s: after 300 ms two are back (capped at the limit), though nothing ran in between.
        await Task.Delay(300, TestContext.Current.CancellationToken);
        Assert.True(limiters.AttemptAcquire("a", 1).IsAcquired);
        Assert.True(limiters.AttemptAcquire("a", 1).IsAcquired);
        Assert.False(limiters.AttemptAcquire("a", 1).IsAcquired);
    }

    [Fact]
    public async Task Idle_limiters_are_dropped_and_one_holding_a_lease_is_kept()
    {
        var idle = TimeSpan.FromMilliseconds(200);
        using var limiters = new ClientLimiters<string>(_ => new ConcurrencyLimiter(new ConcurrencyLimiterOptions { PermitLimit = 1, QueueLimit = 0 }), idle);
        var held = limiters.AttemptAcquire("busy", 1);
        Assert.True(held.IsAcquired);
        limiters.AttemptAcquire("gone", 1).Dispose();
        Assert.Equal(2, limiters.Count);

        await Task.Delay(idle * 3, TestContext.Current.CancellationToken);
        using (limiters.AttemptAcquire("new", 1))
        {
            // The sweep ran on this request: "gone" was idle, "busy" still holds its one permit.
            Assert.Equal(2, limiters.Count);
            Assert.False(limiters.AttemptAcquire("busy", 1).IsAcquired, "the kept limiter still counts its lease");
        }

        held.Dispose();
        Assert.True(limiters.AttemptAcquire("busy", 1).IsAcquired);
    }
}
