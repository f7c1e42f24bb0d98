using System.Threading.RateLimiting;
using Relay.Common.Limits;
using Relay.Tests.Common;

namespace Relay.Tests.Unit.RelayCommon.Limits;

/// <summary>
/// The per-key limiters behind the HTTP load limits and the guest mint budget, without the framework's 100 ms refill
/// timer: a spent bucket refills from elapsed time when it is next used, an idle limiter is dropped, a limiter holding
/// a lease is not.
/// </summary>
public sealed class ClientLimitersTests
{
    private static RefillOnUseTokenBucket Bucket(TimeProvider time) => new(new TokenBucketRateLimiterOptions
    {
        TokenLimit = 2,
        TokensPerPeriod = 1,
        ReplenishmentPeriod = TimeSpan.FromMilliseconds(100),
        AutoReplenishment = false,
        QueueLimit = 0,
    }, time);

    [Fact]
    public void A_spent_bucket_refills_from_the_time_elapsed_when_next_used()
    {
        var clock = new TimerCountingClock();
        using var limiters = new ClientLimiters<string>(_ => Bucket(clock), clock);
        Assert.True(limiters.AttemptAcquire("a", 1).IsAcquired);
        Assert.True(limiters.AttemptAcquire("a", 1).IsAcquired);
        using var refused = limiters.AttemptAcquire("a", 1);
        Assert.False(refused.IsAcquired);
        Assert.True(refused.TryGetMetadata(MetadataName.RetryAfter, out _), "a refusal says when to retry");
        Assert.True(limiters.AttemptAcquire("b", 1).IsAcquired, "another key has its own bucket");

        // 10 tokens/s: after 300 ms two are back (capped at the limit), though nothing ran in between.
        clock.Advance(TimeSpan.FromMilliseconds(300));
        Assert.True(limiters.AttemptAcquire("a", 1).IsAcquired);
        Assert.True(limiters.AttemptAcquire("a", 1).IsAcquired);
        Assert.False(limiters.AttemptAcquire("a", 1).IsAcquired);
        Assert.Equal(0, clock.TimersCreated);
    }

    [Fact]
    public void A_bucket_full_for_the_idle_limit_is_dropped_on_a_later_request_and_a_refilling_one_is_kept()
    {
        var clock = new TimerCountingClock();
        var idle = TimeSpan.FromSeconds(10);
        var created = new List<string>();
        using var limiters = new ClientLimiters<string>(key =>
        {
            created.Add(key);
            return Bucket(clock);
        }, clock, idle);
        Assert.True(limiters.AttemptAcquire("quiet", 1).IsAcquired);
        clock.Advance(idle - TimeSpan.FromSeconds(1));
        Assert.True(limiters.AttemptAcquire("busy", 1).IsAcquired);
        Assert.True(limiters.AttemptAcquire("busy", 1).IsAcquired);

        // "quiet" became full 100 ms after its one request, so it has been idle for the limit 100 ms after that;
        // "busy" is full again only 200 ms after its last request.
        clock.Advance(TimeSpan.FromSeconds(1) + TimeSpan.FromMilliseconds(150));
        using (limiters.AttemptAcquire("busy", 0))
        {
            Assert.Equal(1, limiters.Count);
        }

        Assert.True(limiters.AttemptAcquire("quiet", 1).IsAcquired);
        Assert.Equal(["quiet", "busy", "quiet"], created);
        Assert.Equal(0, clock.TimersCreated);
    }

    [Fact]
    public async Task Idle_limiters_are_dropped_and_one_holding_a_lease_is_kept()
    {
        var idle = TimeSpan.FromMilliseconds(200);
        using var limiters = new ClientLimiters<string>(_ => new ConcurrencyLimiter(new ConcurrencyLimiterOptions { PermitLimit = 1, QueueLimit = 0 }), TimeProvider.System, idle);
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
