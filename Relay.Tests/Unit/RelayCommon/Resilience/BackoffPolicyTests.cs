using Microsoft.Extensions.Time.Testing;
using Relay.Common.Resilience;

namespace Relay.Tests.Unit.RelayCommon.Resilience;

public sealed class BackoffPolicyTests
{
    private static readonly TimeSpan First = TimeSpan.FromMilliseconds(500);
    private static readonly TimeSpan Cap = TimeSpan.FromSeconds(8);

    [Fact]
    public void The_ceiling_doubles_from_the_first_delay_up_to_the_cap_and_never_overflows()
    {
        var policy = new BackoffPolicy(First, Cap, BackoffJitter.None);
        Assert.Equal(TimeSpan.Zero, policy.Ceiling(0));
        Assert.Equal([0.5, 1, 2, 4, 8, 8], Enumerable.Range(1, 6).Select(n => policy.Ceiling(n).TotalSeconds));
        Assert.Equal(Cap, policy.Ceiling(int.MaxValue));
    }

    [Fact]
    public void Each_jitter_draws_inside_its_range_and_spreads_over_it()
    {
        var random = new Random(11);
        var ceiling = TimeSpan.FromSeconds(4); // failure 4 of First 0.5 s
        foreach (var (jitter, low, high) in new[]
                 {
                     (BackoffJitter.None, 1.0, 1.0),
                     (BackoffJitter.Full, 0.0, 1.0),
                     (BackoffJitter.Equal, 0.5, 1.0),
                     (BackoffJitter.Around(0.2), 0.8, 1.2),
                 })
        {
            var policy = new BackoffPolicy(First, Cap, jitter);
            var draws = Enumerable.Range(0, 2000).Select(_ => policy.Delay(4, random) / ceiling).ToList();
            Assert.All(draws, d => Assert.InRange(d, low, high));
            // Spread: the draws reach both ends of the range (within 5 % of its width).
            Assert.True(draws.Min() <= low + ((high - low) * 0.05) && draws.Max() >= high - ((high - low) * 0.05), $"{jitter}: {draws.Min()}..{draws.Max()}");
        }
    }

    [Fact]
    public void A_seeded_random_draws_the_same_delays()
    {
        var policy = new BackoffPolicy(First, Cap, BackoffJitter.Full);
        var one = new BackoffCounter(policy, TimeProvider.System, new Random(5));
        var two = new BackoffCounter(policy, TimeProvider.System, new Random(5));
        Assert.Equal(Enumerable.Range(0, 8).Select(_ => one.Next()), Enumerable.Range(0, 8).Select(_ => two.Next()));
    }

    [Fact]
    public void Around_rejects_a_fraction_outside_zero_to_one()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => BackoffJitter.Around(-0.1));
        Assert.Throws<ArgumentOutOfRangeException>(() => BackoffJitter.Around(1.5));
    }

    [Fact]
    public void A_counter_counts_failures_in_a_row_and_a_healthy_run_or_a_success_starts_it_over()
    {
        var policy = new BackoffPolicy(First, Cap, BackoffJitter.None) { ResetAfter = TimeSpan.FromSeconds(30) };
        var counter = new BackoffCounter(policy, TimeProvider.System);
        Assert.Equal(TimeSpan.FromSeconds(0.5), counter.Next());
        Assert.Equal(TimeSpan.FromSeconds(1), counter.Next(TimeSpan.FromSeconds(29)));
        Assert.Equal(3, counter.Fail());
        Assert.Equal(TimeSpan.FromSeconds(2), counter.Delay());

        // Healthy for the reset period: this failure is the first again.
        Assert.Equal(TimeSpan.FromSeconds(0.5), counter.Next(TimeSpan.FromSeconds(30)));
        Assert.Equal(1, counter.Failures);

        counter.Fail();
        counter.Reset();
        Assert.Equal(0, counter.Failures);
        Assert.Equal(1, counter.Fail());
    }

    [Fact]
    public void Without_a_reset_period_a_long_run_does_not_start_the_count_over()
    {
        var counter = new BackoffCounter(new BackoffPolicy(First, Cap, BackoffJitter.None), TimeProvider.System);
        counter.Fail();
        Assert.Equal(2, counter.Fail(TimeSpan.FromDays(1)));
    }

    [Fact]
    public async Task The_wait_runs_on_the_counters_time_provider()
    {
        var time = new FakeTimeProvider();
        var counter = new BackoffCounter(new BackoffPolicy(First, Cap, BackoffJitter.None), time);
        var wait = counter.WaitAsync(counter.Next(), TestContext.Current.CancellationToken);

        time.Advance(TimeSpan.FromMilliseconds(499));
        Assert.False(wait.IsCompleted);
        time.Advance(TimeSpan.FromMilliseconds(1));
        await wait.WaitAsync(TimeSpan.FromSeconds(10), TestContext.Current.CancellationToken);

        using var stop = new CancellationTokenSource();
        var cancelled = counter.WaitAsync(counter.Next(), stop.Token);
        await stop.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => cancelled);
    }
}
