using System.Net;
using System.Net.Sockets;
using System.Threading.Channels;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Relay.Ingest.Configuration;
using Relay.Ingest.Egress;
using Relay.Ingest.Egress.Rtmp;
using Relay.Ingest.Egress.Source;
using Relay.Ingest.Ffmpeg;
using Relay.Ingest.Media;

namespace Relay.Tests.Integration.Egress;

/// <summary>
/// The egress side of the destination address policy (review M1): a guarded push connects only to vetted addresses,
/// and what fails before RTMP reads as one lastError (no port or service oracle for a host key).
/// </summary>
public sealed class AddressGuardTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task A_guarded_native_push_to_a_loopback_address_never_opens_a_connection()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        var guard = new DestinationAddressPolicy(new FixedResolver(IPAddress.Loopback));
        Assert.True(RtmpPushTarget.TryParse($"rtmp://looks-public.test:{port}/live", "key-1", out var target, out _));

        var outcome = await new RtmpPusher(target!, new RtmpPushSettings { AddressGuard = guard }, TimeProvider.System, NullLogger.Instance)
            .RunAsync(new EmptyFeed(), new PushCounters(), Ct);

        Assert.True(outcome.IsFailure);
        Assert.Equal(EgressStage.Connect, outcome.Stage);
        Assert.False(listener.Pending(), "the push connected to a refused address");

        // Unguarded, the same push does reach the listener: the check above is not vacuous.
        Assert.True(RtmpPushTarget.TryParse($"rtmp://127.0.0.1:{port}/live", "key-1", out var direct, out _));
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        var push = new RtmpPusher(direct!, new RtmpPushSettings(), TimeProvider.System, NullLogger.Instance).RunAsync(new EmptyFeed(), new PushCounters(), stop.Token);
        using (var accepted = await listener.AcceptSocketAsync(Ct))
        {
            Assert.NotNull(accepted);
        }
        await stop.CancelAsync();
        await push;
    }

    [Theory]
    [InlineData(EgressStage.Resolve, "host not found: redis")]
    [InlineData(EgressStage.Connect, "connection refused")]
    [InlineData(EgressStage.Tls, "TLS handshake failed: name mismatch")]
    [InlineData(EgressStage.Handshake, "RTMP handshake failed: server answered version 72, not an RTMP server")]
    public async Task Failures_before_rtmp_read_as_one_error(EgressStage stage, string detail)
    {
        var guarded = new AddressGuardedPusher(new Scripted(new EgressOutcome(stage, detail)), "rtmp://x.test/app", null, NullLogger.Instance);
        var outcome = await guarded.RunAsync(new EmptyFeed(), new PushCounters(), Ct);
        Assert.Equal(new EgressOutcome(EgressStage.Connect, AddressGuardedPusher.Unreachable), outcome);
    }

    [Fact]
    public async Task Rtmp_level_failures_keep_their_words()
    {
        var refused = new EgressOutcome(EgressStage.Publish, "authentication failed: NetStream.Publish.BadName");
        var guarded = new AddressGuardedPusher(new Scripted(refused), "rtmp://x.test/app", null, NullLogger.Instance);
        Assert.Equal(refused, await guarded.RunAsync(new EmptyFeed(), new PushCounters(), Ct));
    }

    [Fact]
    public async Task An_ffmpeg_engine_push_is_vetted_before_ffmpeg_starts()
    {
        var inner = new Scripted(EgressOutcome.Ended);
        var guard = new DestinationAddressPolicy(new FixedResolver(IPAddress.Parse("169.254.169.254")));
        var guarded = new AddressGuardedPusher(inner, "rtmp://metadata.test/app", guard, NullLogger.Instance);
        var outcome = await guarded.RunAsync(new EmptyFeed(), new PushCounters(), Ct);
        Assert.Equal(AddressGuardedPusher.Unreachable, outcome.Error);
        Assert.Equal(0, inner.Runs);
    }

    [Theory]
    [InlineData(true, false, "auto", true)]
    [InlineData(true, false, "ffmpeg", true)]
    [InlineData(true, true, "auto", false)]
    [InlineData(false, false, "auto", false)]
    public void The_factory_guards_host_set_destinations_unless_private_targets_are_allowed(bool hostSet, bool allowPrivate, string engine, bool guarded)
    {
        using var loggers = LoggerFactory.Create(_ => { });
        var processes = new FfmpegProcessRegistry(
            Options.Create(new IngestOptions { DataDir = Directory.CreateTempSubdirectory("relay-guard-").FullName }), loggers.CreateLogger<FfmpegProcessRegistry>());
        var factory = new EgressPusherFactory(processes, TimeProvider.System, loggers, new DestinationAddressPolicy(new FixedResolver(IPAddress.Loopback)));
        var destination = new EgressDestination("d", "d", "custom", "rtmp://host.test/app", "key-1", true, Engine: engine, RequirePublicAddress: hostSet);
        var (pusher, error) = factory.Create(destination, new EgressOptions { AllowPrivateDestinations = allowPrivate });
        Assert.Null(error);
        Assert.Equal(guarded, pusher is AddressGuardedPusher);
    }

    private sealed class FixedResolver(params IPAddress[] answer) : IHostResolver
    {
        public Task<IPAddress[]> ResolveAsync(string host, CancellationToken cancellationToken) => Task.FromResult(answer);
    }

    private sealed class Scripted(EgressOutcome outcome) : IEgressPusher
    {
        public int Runs { get; private set; }

        public Task<EgressOutcome> RunAsync(IEgressFeed feed, PushCounters counters, CancellationToken cancellationToken)
        {
            Runs++;
            return Task.FromResult(outcome);
        }
    }

    private sealed class EmptyFeed : IEgressFeed
    {
        private readonly Channel<FlvTag> _channel = Channel.CreateUnbounded<FlvTag>();

        public ChannelReader<FlvTag> Frames => _channel.Reader;

        public long DroppedFrames => 0;

        public long QueuedBytes => 0;

        public void Dispose() { }
    }
}
