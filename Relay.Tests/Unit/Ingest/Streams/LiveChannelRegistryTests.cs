using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using Relay.Ingest.Configuration;
using Relay.Ingest.Streams;
using Relay.Tests.Common.Hosts;

namespace Relay.Tests.Unit.Ingest.Streams;

public class LiveChannelRegistryTests
{
    private static LiveChannelRegistry NewRegistry(params ILiveChannelObserver[] registered)
    {
        var services = new ServiceCollection();
        foreach (var observer in registered)
        {
            services.AddSingleton(observer);
        }

        return new LiveChannelRegistry(services.BuildServiceProvider(), Options.Create(new IngestOptions()), new FakeTimeProvider(), NullLogger<LiveChannelRegistry>.Instance);
    }

    [Fact]
    public void One_publisher_per_channel_and_a_new_one_after_it_ended()
    {
        var registry = NewRegistry();
        var first = registry.TryBeginPublish("demo");
        Assert.NotNull(first);
        Assert.Null(registry.TryBeginPublish("demo"));
        Assert.NotNull(registry.TryBeginPublish("other"));

        registry.EndPublish(first);
        Assert.True(first.Hub.IsCompleted);
        Assert.False(registry.IsLive("demo"));
        Assert.Null(registry.GetStatus("demo"));
        Assert.NotNull(registry.TryBeginPublish("demo"));
    }

    [Fact]
    public void A_failing_observer_does_not_keep_the_others_from_hearing_nor_break_the_publish()
    {
        var events = new ChannelEvents();
        var registry = NewRegistry(new Throwing(), events);
        var late = new ChannelEvents();
        using (registry.AddObserver(late))
        {
            var session = registry.TryBeginPublish("demo");
            Assert.NotNull(session);
            registry.EndPublish(session);
        }

        registry.EndPublish(registry.TryBeginPublish("demo")!);
        Assert.Equal(["live:demo", "offline:demo", "live:demo", "offline:demo"], events.All);
        Assert.Equal(["live:demo", "offline:demo"], late.All); // removed by disposing its registration
    }

    [Fact]
    public async Task StopAsync_waits_until_the_session_has_ended()
    {
        var registry = NewRegistry();
        var session = registry.TryBeginPublish("demo")!;
        // Stands in for the gateway connection: it ends the session when asked to stop.
        session.StopRequested.Register(() => Task.Run(() => registry.EndPublish(session)));

        await registry.StopAsync("demo", TestContext.Current.CancellationToken).WaitAsync(TimeSpan.FromSeconds(2), TestContext.Current.CancellationToken);

        Assert.False(registry.IsLive("demo"));
        await registry.StopAsync("not-live", TestContext.Current.CancellationToken); // no-op
        Assert.False(registry.Disconnect("not-live"));
    }

    private sealed class Throwing : ILiveChannelObserver
    {
        public void ChannelLive(string channelId) => throw new InvalidOperationException("observer bug");

        public void ChannelOffline(string channelId) => throw new InvalidOperationException("observer bug");
    }
}
