using System.Threading.RateLimiting;
using Relay.Common.Limits;
using Relay.Tests.Common;

namespace Relay.Tests.Unit.RelayCommon.Limits;

/// <summary>
/// The timerless token bucket: the framework bucket's arithmetic (pro rata refill, capped, a refusal's Retry-After in
/// whole periods) on an injected clock, idle from the moment it became full, and nothing scheduled.
/// </summary>
public sealed class RefillOnUseTokenBucketTests
{
    private static TokenBucketRateLimiterOptions Options(int limit, int perPeriod, TimeSpan period) => new()
    {
        TokenLimit = limit,
        TokensPerPeriod = perPeriod,
        ReplenishmentPeriod = period,
        AutoReplenishment = false,
        QueueLimit = 0,
    };

    private static TimeSpan RetryAfter(RateLimitLease lease)
    {
        Assert.False(lease.IsAcquired);
        Assert.True(lease.TryGetMetadata(MetadataName.RetryAfter, out var wait));
        return wait;
    }

    [Fact]
    public void Tokens_come_back_pro_rata_as_the_clock_advances_and_only_then()
    {
        var clock = new TimerCountingClock();
        using var bucket = new RefillOnUseTokenBucket(Options(4, 2, TimeSpan.FromSeconds(1)), clock);
        Assert.True(bucket.AttemptAcquire(4).IsAcquired);
        Assert.Equal(TimeSpan.FromSeconds(1), RetryAfter(bucket.AttemptAcquire(1)));
        Assert.Equal(TimeSpan.FromSeconds(2), RetryAfter(bucket.AttemptAcquire(4)));

        clock.Advance(TimeSpan.FromMilliseconds(499));
        Assert.False(bucket.AttemptAcquire(1).IsAcquired);
        clock.Advance(TimeSpan.FromMilliseconds(1));
        Assert.True(bucket.AttemptAcquire(1).IsAcquired);
        Assert.False(bucket.AttemptAcquire(1).IsAcquired);

        // Capped at the limit however long it rested.
        clock.Advance(TimeSpan.FromHours(1));
        Assert.Equal(4, bucket.GetStatistics()!.CurrentAvailablePermits);
        Assert.True(bucket.AttemptAcquire(4).IsAcquired);
        Assert.False(bucket.AttemptAcquire(1).IsAcquired);
        Assert.Equal(0, clock.TimersCreated);
    }

    [Fact]
    public void A_bucket_is_idle_from_the_moment_it_became_full()
    {
        var clock = new TimerCountingClock();
        using var bucket = new RefillOnUseTokenBucket(Options(2, 1, TimeSpan.FromSeconds(1)), clock);
        Assert.Equal(TimeSpan.Zero, bucket.IdleDuration);
        clock.Advance(TimeSpan.FromSeconds(3));
        Assert.Equal(TimeSpan.FromSeconds(3), bucket.IdleDuration);

        Assert.True(bucket.AttemptAcquire(2).IsAcquired);
        Assert.Null(bucket.IdleDuration);
        clock.Advance(TimeSpan.FromSeconds(1.5));
        Assert.Null(bucket.IdleDuration);
        // Full at 2 s after the acquisition, however late anyone looks.
        clock.Advance(TimeSpan.FromSeconds(5));
        Assert.InRange(bucket.IdleDuration!.Value.TotalMilliseconds, 4499, 4501);
    }

    [Fact]
    public void A_timer_or_a_queue_is_refused_at_construction()
    {
        var clock = new TimerCountingClock();
        var timer = Options(2, 1, TimeSpan.FromSeconds(1));
        timer.AutoReplenishment = true;
        var queue = Options(2, 1, TimeSpan.FromSeconds(1));
        queue.QueueLimit = 1;
        Assert.Throws<ArgumentException>(() => new RefillOnUseTokenBucket(timer, clock));
        Assert.Throws<ArgumentException>(() => new RefillOnUseTokenBucket(queue, clock));
        Assert.Equal(0, clock.TimersCreated);
    }
}
