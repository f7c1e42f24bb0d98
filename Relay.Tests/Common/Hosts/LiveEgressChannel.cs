using System.Diagnostics;
using Relay.Ingest.Egress;
using Relay.Tests.Common.Media;
using Relay.Tests.Common.Peers;

namespace Relay.Tests.Common.Hosts;

/// <summary>
/// The setup of the egress tests that push one live channel to real servers: an <see cref="EgressTestHost"/> with the
/// test's options, the test clip replayed as the channel's source, the destinations applied and live, and one clock
/// for gaps and lateness. <see cref="WatchAsync"/> watches a destination end to end. Disposing ends the source, then
/// stops the host (which checks its log).
/// </summary>
public sealed class LiveEgressChannel : IAsyncDisposable
{
    private LiveEgressChannel(string channel, EgressTestHost host, ReplaySource source) =>
        (Channel, Host, Source) = (channel, host, source);

    public string Channel { get; }

    public EgressTestHost Host { get; }

    public ReplaySource Source { get; }

    public Stopwatch Clock { get; } = Stopwatch.StartNew();

    public EgressManager Manager => Host.Manager;

    public LogCapture Logs => Host.Logs;

    /// <param name="seconds">How long each destination may take to go live.</param>
    public static async Task<LiveEgressChannel> StartAsync(EgressOptions options, string channel, IReadOnlyList<EgressDestination> destinations, double seconds = 10)
    {
        var clip = await TestClip.LoadAsync();
        var host = EgressTestHost.Create(options);
        var live = new LiveEgressChannel(channel, host, new ReplaySource(clip, channel));
        try
        {
            await host.GoLiveAsync(channel, live.Source, destinations, seconds);
            return live;
        }
        catch
        {
            await live.DisposeAsync();
            throw;
        }
    }

    /// <summary>Watches <paramref name="destination"/> through <paramref name="playUrl"/>, its copy on the sink.</summary>
    public Task<WatchedDestination> WatchAsync(string destination, string platform, string playUrl) =>
        WatchedDestination.StartAsync(Source, Clock, Channel, destination, platform, playUrl);

    public async ValueTask DisposeAsync()
    {
        try
        {
            await Source.DisposeAsync();
        }
        finally
        {
            await Host.DisposeAsync();
        }
    }
}
