using System.Net;
using System.Threading.RateLimiting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Options;
using Relay.Chat.Configuration;
using Relay.Chat.Identity;
using Relay.Tests.Common;

namespace Relay.Tests.Unit.Chat.Identity;

/// <summary>
/// The guest mint budget (10 at once and 10 a minute per client address by default) moves only with the clock: no
/// timer refills it in the background (the framework's partitioned limiter ran one every 100 ms for the life of the
/// process once a guest had been minted, docs/benchmarks.md section 7).
/// </summary>
public sealed class GuestMintLimiterTests
{
    private static HttpContext From(string address) => new DefaultHttpContext { Connection = { RemoteIpAddress = IPAddress.Parse(address) } };

    private static bool Mint(GuestMintLimiter limiter, string address)
    {
        using var lease = limiter.AttemptAcquire(From(address));
        return lease.IsAcquired;
    }

    [Fact]
    public void Ten_at_once_then_one_every_six_seconds_per_address_and_only_as_the_clock_advances()
    {
        var clock = new TimerCountingClock();
        using var limiter = new GuestMintLimiter(Options.Create(new GuestOptions()), clock);
        for (var i = 0; i < 10; i++)
        {
            Assert.True(Mint(limiter, "192.0.2.1"), $"mint {i + 1} of the burst");
        }

        using (var refused = limiter.AttemptAcquire(From("192.0.2.1")))
        {
            Assert.False(refused.IsAcquired);
            Assert.True(refused.TryGetMetadata(MetadataName.RetryAfter, out var wait));
            Assert.Equal(TimeSpan.FromSeconds(6), wait);
        }

        Assert.False(Mint(limiter, "::ffff:192.0.2.1"), "an IPv4-mapped address is the same client");
        Assert.True(Mint(limiter, "198.51.100.7"), "another address has its own budget");
        for (var i = 0; i < 10; i++)
        {
            Assert.True(Mint(limiter, "2001:db8:1:2::" + (i + 1)));
        }

        Assert.False(Mint(limiter, "2001:db8:1:2:ffff::9"), "an IPv6 client is counted by its /64");

        clock.Advance(TimeSpan.FromSeconds(6) - TimeSpan.FromMilliseconds(1));
        Assert.False(Mint(limiter, "192.0.2.1"));
        clock.Advance(TimeSpan.FromMilliseconds(1));
        Assert.True(Mint(limiter, "192.0.2.1"), "one mint back after 6 s of the clock");
        Assert.False(Mint(limiter, "192.0.2.1"));

        clock.Advance(TimeSpan.FromMinutes(5));
        for (var i = 0; i < 10; i++)
        {
            Assert.True(Mint(limiter, "192.0.2.1"));
        }

        Assert.False(Mint(limiter, "192.0.2.1"), "the burst is the cap however long the address rested");
        Assert.Equal(0, clock.TimersCreated);
    }

    [Fact]
    public async Task A_spent_budget_stays_spent_while_the_clock_stands_still()
    {
        // A millisecond per mint: the framework's 100 ms refill timer would have given the whole burst back long before
        // the wait below ends.
        var clock = new TimerCountingClock();
        using var limiter = new GuestMintLimiter(Options.Create(new GuestOptions { MintBurstPerAddress = 3, MintsPerMinutePerAddress = 60_000 }), clock);
        for (var i = 0; i < 3; i++)
        {
            Assert.True(Mint(limiter, "192.0.2.1"));
        }

        await Task.Delay(TimeSpan.FromMilliseconds(400), TestContext.Current.CancellationToken);
        Assert.False(Mint(limiter, "192.0.2.1"), "nothing refilled the bucket while the clock stood still");
        clock.Advance(TimeSpan.FromMilliseconds(1));
        Assert.True(Mint(limiter, "192.0.2.1"));
        Assert.False(Mint(limiter, "192.0.2.1"));
        Assert.Equal(0, clock.TimersCreated);
    }
}
