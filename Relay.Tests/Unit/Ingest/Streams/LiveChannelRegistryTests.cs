using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using Relay.Ingest;
using Relay.Ingest.Configuration;
using Relay.Ingest.Streams;
using Relay.Tests.Common.Hosts;

namespace Relay.Tests.Unit.Ingest.Streams;

public class LiveChannelRegistryTests
{
    private static LiveChannelRegistry NewRegistry(params ILiveChannelObserver[] registered) =>
        new(new Lazy<IReadOnlyList<ILiveChannelObserver>>(registered), Options.Create(new IngestOptions()), new FakeTimeProvider(), NullLogger<LiveChannelRegistry>.Instance);

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

    [Fact]
    public void AddRelayIngest_composes_a_registry_whose_observers_need_the_registry()
    {
        // The HLS packager and the recorder are observers built on the registry: a constructor cycle that the
        // composition breaks with a Lazy. Both are off here, so the test stays off disk and ffmpeg.
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Relay:Ingest:Hls:Enabled"] = "false",
            ["Relay:Ingest:Recording:Enabled"] = "false",
        }).Build();
        var services = new ServiceCollection().AddLogging().AddRelayIngest(configuration);
        services.AddSingleton<ILiveChannelObserver, LiveChannelsSeenFromAnObserver>();
        using var provider = services.BuildServiceProvider();

        var registry = provider.GetRequiredService<LiveChannelRegistry>();
        registry.EndPublish(registry.TryBeginPublish("demo")!);

        var observer = provider.GetServices<ILiveChannelObserver>().OfType<LiveChannelsSeenFromAnObserver>().Single();
        Assert.Same(registry, observer.Registry);
        Assert.Equal([true, false], observer.LiveWhenTold);
    }

    /// <summary>An observer that, like the HLS packager, takes the registry and reads it while it is told.</summary>
    private sealed class LiveChannelsSeenFromAnObserver(LiveChannelRegistry registry) : ILiveChannelObserver
    {
        public LiveChannelRegistry Registry => registry;

        public List<bool> LiveWhenTold { get; } = [];

        public void ChannelLive(string channelId) => LiveWhenTold.Add(registry.IsLive(channelId));

        public void ChannelOffline(string channelId) => LiveWhenTold.Add(registry.IsLive(channelId));
    }

    private sealed class Throwing : ILiveChannelObserver
    {
        public void ChannelLive(string channelId) => throw new InvalidOperationException("observer bug");

        public void ChannelOffline(string channelId) => throw new InvalidOperationException("observer bug");
    }
}
