using System.Threading.Channels;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using Relay.Ingest.Egress;
using Relay.Ingest.Egress.Source;
using Relay.Ingest.Egress.Supervision;
using Relay.Ingest.Media;
using Relay.Ingest.Streams;

namespace Relay.Tests.Unit.Ingest.Egress;

public sealed class SupervisionTests
{
    private sealed class IdleSource : IEgressSource
    {
        public int Subscriptions;

        public IngestStatus? Ingest => null;

        public IEgressFeed Subscribe(string subscriberName, int capacity)
        {
            Interlocked.Increment(ref Subscriptions);
            return new Feed();
        }

        private sealed class Feed : IEgressFeed
        {
            private readonly Channel<FlvTag> _channel = Channel.CreateUnbounded<FlvTag>();

            public ChannelReader<FlvTag> Frames => _channel.Reader;

            public long DroppedFrames => 3;

            public long QueuedBytes => 0;

            public void Dispose() { }
        }
    }

    /// <summary>A pusher whose attempts are scripted: optionally live for a while (on fake time), then fail.</summary>
    private sealed class ScriptedPusher(FakeTimeProvider time, TimeSpan liveFor) : IEgressPusher, IEgressPusherFactory
    {
        public List<DateTimeOffset> Attempts { get; } = [];

        public async Task<EgressOutcome> RunAsync(IEgressFeed feed, PushCounters counters, CancellationToken cancellationToken)
        {
            lock (Attempts) Attempts.Add(time.GetUtcNow());
            if (liveFor > TimeSpan.Zero)
            {
                counters.MarkLive();
                await Task.Delay(liveFor, time, cancellationToken);
            }

            return new EgressOutcome(EgressStage.Connect, "connection refused");
        }

        public (IEgressPusher? Pusher, string? Error) Create(EgressDestination destination, EgressOptions options) => (this, null);
    }

    private static readonly TimeSpan Step = TimeSpan.FromMilliseconds(200);

    private static readonly EgressDestination Destination = new("d1", "d1", "twitch", "rtmp://127.0.0.1:1/app", "key", true);

    private static async Task<EgressDestinationStatus> DriveUntilAsync(FakeTimeProvider time, DestinationSupervisor supervisor, Func<EgressDestinationStatus, bool> done, TimeSpan limit)
    {
        var end = time.GetUtcNow() + limit;
        while (time.GetUtcNow() < end)
        {
            await Task.Delay(2, TestContext.Current.CancellationToken);
            if (done(supervisor.Status)) return supervisor.Status;
            time.Advance(Step);
        }

        return supervisor.Status;
    }

    [Fact]
    public async Task Failures_back_off_exponentially_with_full_jitter_and_park_in_failed_after_N()
    {
        var time = new FakeTimeProvider();
        var pusher = new ScriptedPusher(time, TimeSpan.Zero);
        var options = new EgressOptions { BackoffBaseSeconds = 1, BackoffCapSeconds = 8, FailuresBeforeFailed = 6 };
        var source = new IdleSource();
        await using var supervisor = new DestinationSupervisor("c", Destination, source, pusher, options, time, NullLogger.Instance, new Random(7));
        supervisor.Start();

        var status = await DriveUntilAsync(time, supervisor, s => s.State == EgressState.Failed, TimeSpan.FromMinutes(5));

        Assert.Equal(EgressState.Failed, status.State);
        Assert.Equal("connection refused", status.LastError);
        Assert.Equal(6, pusher.Attempts.Count);
        Assert.Equal(5, status.Reconnects);
        Assert.Equal(6 * 3, status.DroppedFrames); // drops of every attempt's queue add up
        for (var i = 1; i < pusher.Attempts.Count; i++)
        {
            var waited = pusher.Attempts[i] - pusher.Attempts[i - 1];
            var ceiling = options.Backoff.Ceiling(i);
            Assert.InRange(waited, TimeSpan.Zero, ceiling + Step);
        }

        // Parked: no more attempts however long we wait.
        time.Advance(TimeSpan.FromMinutes(10));
        await Task.Delay(20, TestContext.Current.CancellationToken);
        Assert.Equal(6, pusher.Attempts.Count);
    }

    [Fact]
    public async Task A_healthy_period_resets_the_failure_count()
    {
        var time = new FakeTimeProvider();
        var options = new EgressOptions { BackoffBaseSeconds = 1, BackoffCapSeconds = 2, FailuresBeforeFailed = 2, HealthyPeriodSeconds = 30 };
        var pusher = new ScriptedPusher(time, TimeSpan.FromSeconds(31));
        await using var supervisor = new DestinationSupervisor("c", Destination, new IdleSource(), pusher, options, time, NullLogger.Instance, new Random(1));
        supervisor.Start();

        var status = await DriveUntilAsync(time, supervisor, s => pusher.Attempts.Count >= 5 || s.State == EgressState.Failed, TimeSpan.FromMinutes(10));

        Assert.NotEqual(EgressState.Failed, status.State);
        Assert.True(pusher.Attempts.Count >= 5);
    }

    [Fact]
    public async Task Without_a_healthy_period_two_failures_fail_it()
    {
        var time = new FakeTimeProvider();
        var options = new EgressOptions { BackoffBaseSeconds = 1, BackoffCapSeconds = 2, FailuresBeforeFailed = 2, HealthyPeriodSeconds = 30 };
        var pusher = new ScriptedPusher(time, TimeSpan.FromSeconds(5));
        await using var supervisor = new DestinationSupervisor("c", Destination, new IdleSource(), pusher, options, time, NullLogger.Instance, new Random(1));
        supervisor.Start();

        var status = await DriveUntilAsync(time, supervisor, s => s.State == EgressState.Failed, TimeSpan.FromMinutes(10));

        Assert.Equal(EgressState.Failed, status.State);
        Assert.Equal(2, pusher.Attempts.Count);
    }

    [Fact]
    public void Backoff_ceiling_doubles_up_to_the_cap_and_draws_stay_under_it()
    {
        var @base = TimeSpan.FromSeconds(1);
        var cap = TimeSpan.FromSeconds(60);
        var backoff = new EgressOptions { BackoffBaseSeconds = @base.TotalSeconds, BackoffCapSeconds = cap.TotalSeconds }.Backoff;
        Assert.Equal(TimeSpan.FromSeconds(1), backoff.Ceiling(1));
        Assert.Equal(TimeSpan.FromSeconds(8), backoff.Ceiling(4));
        Assert.Equal(cap, backoff.Ceiling(40));
        var random = new Random(3);
        var draws = Enumerable.Range(0, 1000).Select(_ => backoff.Delay(5, random)).ToList();
        Assert.All(draws, d => Assert.InRange(d, TimeSpan.Zero, TimeSpan.FromSeconds(16)));
        Assert.True(draws.Min() < TimeSpan.FromSeconds(2) && draws.Max() > TimeSpan.FromSeconds(14), "full jitter spreads over the whole range");
    }
}
