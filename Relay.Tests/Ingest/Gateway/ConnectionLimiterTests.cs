using System.Net;
using Microsoft.Extensions.Time.Testing;
using Relay.Ingest.Configuration;
using Relay.Ingest.Gateway;

namespace Relay.Tests.Ingest.Gateway;

public class ConnectionLimiterTests
{
    private static readonly IPAddress A = IPAddress.Parse("192.0.2.1");
    private static readonly IPAddress B = IPAddress.Parse("192.0.2.2");

    [Fact]
    public void Pending_connections_are_capped_per_address_and_in_total_and_released_by_the_lease()
    {
        var limiter = new ConnectionLimiter(new IngestOptions { MaxPendingConnectionsPerIp = 2, MaxPendingConnections = 3 }, new FakeTimeProvider());
        Assert.Null(limiter.TryAdmit(A, out var a1));
        Assert.Null(limiter.TryAdmit(A, out _));
        Assert.Equal(PublishRejectReason.TooManyConnections, limiter.TryAdmit(A, out _));
        Assert.Null(limiter.TryAdmit(B, out _));
        Assert.Equal(PublishRejectReason.TooManyConnections, limiter.TryAdmit(B, out _)); // total
        a1!.Dispose();
        a1.Dispose(); // idempotent
        Assert.Null(limiter.TryAdmit(A, out _));
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

        string? Admit(IPAddress address)
        {
            var reason = limiter.TryAdmit(address, out var lease);
            lease?.Dispose();
            return reason;
        }
    }

    [Fact]
    public void Old_failures_are_forgotten()
    {
        var time = new FakeTimeProvider();
        var limiter = new ConnectionLimiter(new IngestOptions { FailedAuthAttemptsBeforeBackoff = 2 }, time);
        limiter.RecordAuthFailure(A);
        time.Advance(TimeSpan.FromMinutes(20));
        limiter.RecordAuthFailure(A);
        Assert.Null(limiter.TryAdmit(A, out _));
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

        string? Admit(IPAddress address)
        {
            var reason = limiter.TryAdmit(address, out var lease);
            lease?.Dispose();
            return reason;
        }
    }
}
