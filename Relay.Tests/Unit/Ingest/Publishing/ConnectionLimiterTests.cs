using System.Net;
using Microsoft.Extensions.Time.Testing;
using Relay.Ingest.Configuration;
using Relay.Ingest.Publishing;

namespace Relay.Tests.Unit.Ingest.Publishing;

public class ConnectionLimiterTests
{
    private static readonly IPAddress A = IPAddress.Parse("192.0.2.1");
    private static readonly IPAddress B = IPAddress.Parse("192.0.2.2");
    private static readonly IPAddress C = IPAddress.Parse("192.0.2.3");

    [Fact]
    public void A_full_pool_evicts_the_oldest_pending_connection_of_the_busiest_address_and_admits_the_newcomer()
    {
        var limiter = new ConnectionLimiter(new IngestOptions { MaxPendingConnectionsPerIp = 2, MaxPendingConnections = 3 }, new FakeTimeProvider());
        var a1 = limiter.Admit(A);
        var a2 = limiter.Admit(A);
        var a3 = limiter.Admit(A); // per address: A's oldest goes
        Assert.True(a1.Evicted.IsCancellationRequested);
        Assert.False(a2.Evicted.IsCancellationRequested || a3.Evicted.IsCancellationRequested);
        var b1 = limiter.Admit(B); // 3 pending now: the pool is full, nobody goes yet
        Assert.False(a2.Evicted.IsCancellationRequested || a3.Evicted.IsCancellationRequested || b1.Evicted.IsCancellationRequested);
        a1.Dispose(); // an evicted lease's own release changes nothing
        a1.Dispose(); // idempotent
        var c1 = limiter.Admit(C); // total: the busiest address (A) loses its oldest
        Assert.True(a2.Evicted.IsCancellationRequested);
        Assert.False(a3.Evicted.IsCancellationRequested || b1.Evicted.IsCancellationRequested || c1.Evicted.IsCancellationRequested);
        var c2 = limiter.Admit(C); // A, B and C hold one each: the oldest of them (A's a3) goes
        Assert.True(a3.Evicted.IsCancellationRequested);
        b1.Dispose();
        var c3 = limiter.Admit(C); // C is at its per-address cap: its own oldest goes
        Assert.True(c1.Evicted.IsCancellationRequested);
        Assert.False(c2.Evicted.IsCancellationRequested || c3.Evicted.IsCancellationRequested);
    }

    [Fact]
    public void Ipv6_addresses_are_counted_by_their_64()
    {
        var limiter = new ConnectionLimiter(new IngestOptions { MaxPendingConnectionsPerIp = 2, MaxPendingConnections = 100, FailedAuthAttemptsBeforeBackoff = 2 }, new FakeTimeProvider());
        var first = limiter.Admit(IPAddress.Parse("2001:db8:1:2::1"));
        limiter.Admit(IPAddress.Parse("2001:db8:1:2::2"));
        limiter.Admit(IPAddress.Parse("2001:db8:1:2:abcd::3")); // same /64: the first goes
        Assert.True(first.Evicted.IsCancellationRequested);
        var other = limiter.Admit(IPAddress.Parse("2001:db8:1:3::1"));
        Assert.False(other.Evicted.IsCancellationRequested);

        limiter.RecordAuthFailure(IPAddress.Parse("2001:db8:1:2::10"), "k1");
        limiter.RecordAuthFailure(IPAddress.Parse("2001:db8:1:2::11"), "k2");
        Assert.True(limiter.IsBlocked(IPAddress.Parse("2001:db8:1:2::12")));
        Assert.False(limiter.IsBlocked(IPAddress.Parse("2001:db8:1:3::12")));
    }

    [Fact]
    public void Bad_keys_earn_a_doubling_wait_that_a_success_clears()
    {
        var time = new FakeTimeProvider();
        var limiter = new ConnectionLimiter(new IngestOptions { FailedAuthAttemptsBeforeBackoff = 3, MaxAuthBackoffSeconds = 5 }, time);
        limiter.RecordAuthFailure(A);
        limiter.RecordAuthFailure(A);
        Assert.Null(Admit(A));
        limiter.RecordAuthFailure(A); // third: 1 s
        Assert.Equal(PublishRejectReason.RateLimited, Admit(A));
        Assert.Null(Admit(B)); // per address
        time.Advance(TimeSpan.FromSeconds(1.01));
        Assert.Null(Admit(A));
        limiter.RecordAuthFailure(A); // fourth: 2 s
        time.Advance(TimeSpan.FromSeconds(1.5));
        Assert.Equal(PublishRejectReason.RateLimited, Admit(A));
        limiter.RecordAuthFailure(A); // 4 s
        limiter.RecordAuthFailure(A); // 8 s capped at 5
        time.Advance(TimeSpan.FromSeconds(4.9));
        Assert.Equal(PublishRejectReason.RateLimited, Admit(A));
        time.Advance(TimeSpan.FromSeconds(0.2));
        Assert.Null(Admit(A));
        limiter.RecordAuthSuccess(A);
        limiter.RecordAuthFailure(A);
        Assert.Null(Admit(A)); // the count started over

        string? Admit(IPAddress address) => limiter.IsBlocked(address) ? PublishRejectReason.RateLimited : null;
    }

    [Fact]
    public void A_blocked_address_has_its_key_checks_held_back_for_at_most_the_configured_delay()
    {
        var time = new FakeTimeProvider();
        var limiter = new ConnectionLimiter(new IngestOptions { FailedAuthAttemptsBeforeBackoff = 1, MaxAuthBackoffSeconds = 300, BlockedKeyCheckDelaySeconds = 2 }, time);
        Assert.Equal(TimeSpan.Zero, limiter.KeyCheckDelay(A));
        limiter.RecordAuthFailure(A, "k1"); // 1 s
        Assert.Equal(TimeSpan.FromSeconds(1), limiter.KeyCheckDelay(A));
        limiter.RecordAuthFailure(A, "k2"); // 2 s
        limiter.RecordAuthFailure(A, "k3"); // 4 s
        Assert.Equal(TimeSpan.FromSeconds(2), limiter.KeyCheckDelay(A));
        Assert.Equal(TimeSpan.Zero, limiter.KeyCheckDelay(B));
        time.Advance(TimeSpan.FromSeconds(3));
        Assert.Equal(TimeSpan.FromSeconds(1), limiter.KeyCheckDelay(A));
    }

    [Fact]
    public void Old_failures_are_forgotten()
    {
        var time = new FakeTimeProvider();
        var limiter = new ConnectionLimiter(new IngestOptions { FailedAuthAttemptsBeforeBackoff = 2 }, time);
        limiter.RecordAuthFailure(A);
        time.Advance(TimeSpan.FromMinutes(20));
        limiter.RecordAuthFailure(A);
        Assert.False(limiter.IsBlocked(A));
    }

    [Fact]
    public void The_same_stale_key_retried_counts_once_but_distinct_guesses_are_throttled()
    {
        var time = new FakeTimeProvider();
        var limiter = new ConnectionLimiter(new IngestOptions { FailedAuthAttemptsBeforeBackoff = 3, MaxAuthBackoffSeconds = 300 }, time);
        for (var i = 0; i < 20; i++)
        {
            limiter.RecordAuthFailure(A, "sk_rotated_away_key");
            time.Advance(TimeSpan.FromSeconds(2));
            Assert.Null(Admit(A));
        }

        limiter.RecordAuthFailure(A, "guess-1");
        Assert.Null(Admit(A));
        limiter.RecordAuthFailure(A, "guess-2"); // third distinct key
        Assert.Equal(PublishRejectReason.RateLimited, Admit(A));

        string? Admit(IPAddress address) => limiter.IsBlocked(address) ? PublishRejectReason.RateLimited : null;
    }
}
