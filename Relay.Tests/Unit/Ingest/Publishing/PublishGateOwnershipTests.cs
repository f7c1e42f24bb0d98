using System.Net;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using Relay.Ingest.Configuration;
using Relay.Ingest.Publishing;
using Relay.Ingest.Streams;
using Relay.Tests.Common.Hosts;

namespace Relay.Tests.Unit.Ingest.Publishing;

/// <summary>
/// The gate asks the channel's ownership after the key and before the publish: refusals keep the one reason set
/// (<c>already_live</c> for a channel live elsewhere, <c>ownership_unavailable</c> when it cannot be decided), a lease
/// never outlives a publish that did not start, and a mirror yields to the publisher.
/// </summary>
public sealed class PublishGateOwnershipTests
{
    private static readonly IPEndPoint Remote = new(IPAddress.Loopback, 5000);
    private readonly FakeTimeProvider _time = new();

    private (PublishGate Gate, LiveChannelRegistry Channels) Gate(IChannelOwnership ownership, params ILiveChannelObserver[] observers)
    {
        var options = new IngestOptions();
        var channels = new LiveChannelRegistry(new Lazy<IReadOnlyList<ILiveChannelObserver>>(observers), Options.Create(options), _time, NullLogger<LiveChannelRegistry>.Instance);
        var gate = new PublishGate(new KeyAuthorizer(), channels, new ConnectionLimiter(options, _time), new PublishStartRate(100, _time), _time, NullLogger.Instance, ownership);
        return (gate, channels);
    }

    [Fact]
    public async Task The_embedded_default_owns_every_channel_and_refuses_a_second_publisher_locally()
    {
        var (gate, _) = Gate(new SingleNodeOwnership());
        var (session, lease, refusal) = await gate.AuthorizeAsync("live", "key", Remote, Ct);
        Assert.NotNull(session);
        Assert.Equal("demo", lease!.ChannelId);
        Assert.Null(refusal);

        var second = await gate.AuthorizeAsync("live", "key", Remote, Ct);
        Assert.Equal(PublishRejectReason.AlreadyLive, second.Refusal);
    }

    [Theory]
    [InlineData("held", PublishRejectReason.AlreadyLive)]
    [InlineData("unavailable", PublishRejectReason.OwnershipUnavailable)]
    [InlineData("throws", PublishRejectReason.OwnershipUnavailable)]
    public async Task A_channel_this_node_cannot_own_is_refused_and_never_goes_live(string answer, string reason)
    {
        var events = new ChannelEvents();
        var ownership = new ScriptedOwnership(answer);
        var (gate, channels) = Gate(ownership, events);

        var (session, lease, refusal) = await gate.AuthorizeAsync("live", "key", Remote, Ct);

        Assert.Null(session);
        Assert.Null(lease);
        Assert.Equal(reason, refusal);
        Assert.False(channels.IsLive("demo"));
        Assert.Empty(events.All);
    }

    [Fact]
    public async Task A_channel_live_on_this_node_is_refused_without_asking_the_cluster()
    {
        var ownership = new ScriptedOwnership("owned");
        var (gate, _) = Gate(ownership);
        Assert.NotNull((await gate.AuthorizeAsync("live", "key", Remote, Ct)).Input);
        Assert.Equal(1, ownership.Claims);

        Assert.Equal(PublishRejectReason.AlreadyLive, (await gate.AuthorizeAsync("live", "key", Remote, Ct)).Refusal);
        Assert.Equal(1, ownership.Claims);
    }

    [Fact]
    public async Task A_mirror_of_the_channel_yields_to_the_publisher_that_took_it_here()
    {
        var events = new ChannelEvents();
        var (gate, channels) = Gate(new ScriptedOwnership("owned"), events);
        var mirror = channels.TryBeginMirror("demo")!;
        // Stands in for the mirror's pump: it ends its session when asked to stop.
        mirror.StopRequested.Register(() => Task.Run(() => channels.EndPublish(mirror)));
        Assert.True(channels.IsMirrored("demo"));
        Assert.False(channels.IsPublished("demo"));

        var (session, lease, refusal) = await gate.AuthorizeAsync("live", "key", Remote, Ct).WaitAsync(TimeSpan.FromSeconds(5), Ct);

        Assert.Null(refusal);
        Assert.NotNull(lease);
        Assert.True(mirror.Hub.IsCompleted);
        Assert.True(channels.IsPublished("demo"));
        Assert.Same(session!.Session.Hub, channels.TryGetPublishedHub("demo", out var hub) ? hub : null);
        // Plain observers (egress, recording) hear of the publish only, never of the mirror.
        Assert.Equal(["live:demo"], events.All);
    }

    [Fact]
    public async Task Mirrored_channels_reach_only_observers_that_ask_for_them_and_are_never_an_egress_source()
    {
        var plain = new ChannelEvents();
        var packager = new MirrorEvents();
        var (_, channels) = Gate(new SingleNodeOwnership(), plain, packager);

        var mirror = channels.TryBeginMirror("demo")!;
        Assert.True(channels.IsLive("demo"));
        Assert.True(channels.TryGetHub("demo", out _));
        Assert.False(channels.TryGetPublishedHub("demo", out _));
        Assert.Null(new Relay.Ingest.Egress.Source.LiveChannelEgressSources(channels).Find("demo"));
        Assert.Null(channels.TryBeginPublish("demo"));
        channels.EndPublish(mirror);

        var published = channels.TryBeginPublish("demo")!;
        Assert.NotNull(new Relay.Ingest.Egress.Source.LiveChannelEgressSources(channels).Find("demo"));
        channels.EndPublish(published);
        await Task.CompletedTask;

        Assert.Equal(["live:demo", "offline:demo"], plain.All);
        Assert.Equal(["live:demo", "offline:demo", "live:demo", "offline:demo"], packager.All);
    }

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private sealed class KeyAuthorizer : IPublishAuthorizer
    {
        public ValueTask<PublishDecision> AuthorizeAsync(PublishRequest request, CancellationToken cancellationToken) =>
            ValueTask.FromResult(request.StreamKey == "key" ? PublishDecision.Accept("demo") : PublishDecision.Reject(PublishRejectReason.BadKey));
    }

    private sealed class ScriptedOwnership(string answer) : IChannelOwnership
    {
        public int Claims { get; private set; }

        public ValueTask<ChannelClaim> ClaimAsync(string channelId, CancellationToken cancellationToken)
        {
            Claims++;
            return answer switch
            {
                "owned" => ValueTask.FromResult(ChannelClaim.Owned(new Lease(channelId))),
                "held" => ValueTask.FromResult(ChannelClaim.HeldElsewhere),
                "unavailable" => ValueTask.FromResult(ChannelClaim.Unavailable),
                _ => ValueTask.FromException<ChannelClaim>(new InvalidOperationException("store down")),
            };
        }

        private sealed class Lease(string channelId) : IChannelLease
        {
            public string ChannelId => channelId;

            public CancellationToken Lost => CancellationToken.None;

            public ValueTask DisposeAsync() => ValueTask.CompletedTask;
        }
    }

    private sealed class MirrorEvents : IMirroredChannelObserver
    {
        private readonly List<string> _events = [];

        public IReadOnlyList<string> All => _events;

        public void ChannelLive(string channelId) => _events.Add($"live:{channelId}");

        public void ChannelOffline(string channelId) => _events.Add($"offline:{channelId}");
    }
}
