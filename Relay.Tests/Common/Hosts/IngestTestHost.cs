using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Relay.Ingest;
using Relay.Ingest.Consumers;
using Relay.Ingest.Ffmpeg;
using Relay.Ingest.Publishing;
using Relay.Ingest.Srt;
using Relay.Ingest.Streams;
using Relay.Tests.Common.Media;

namespace Relay.Tests.Common.Hosts;

/// <summary>
/// The ingest hosted without Relay.Server: a WebApplication on a free loopback port with AddRelayIngest,
/// MapRelayPlayback, a test authorizer (key <see cref="DemoKey"/> = channel "demo", <see cref="OtherKey"/> = "other"),
/// RTMP on a free port, a private data directory, and every log line captured (to check no key leaks).
/// </summary>
internal sealed class IngestTestHost : TestHost
{
    public const string DemoKey = "demo-secret-key-123";
    public const string OtherKey = "other-secret-key-456";

    /// <summary>A key long enough that its publish command spans two 128-byte chunks.</summary>
    public static readonly string LongKey = "long-" + new string('k', 120);

    /// <summary>Every key with this prefix is accepted as channel <c>cap</c> by the authorizer, whatever its length (for the name-length cap).</summary>
    public const string CapKeyPrefix = "cap-";

    private WebApplication _app = null!;

    private IngestTestHost()
        : base(dataDir: null, "relay-ingest-test")
    {
    }

    public IServiceProvider Services => _app.Services;

    public ChannelEvents Events { get; } = new();

    public int RtmpPort => Gateway.RtmpEndPoint!.Port;

    public RtmpListener Gateway => _app.Services.GetRequiredService<RtmpListener>();

    public LiveChannelRegistry Channels => _app.Services.GetRequiredService<LiveChannelRegistry>();

    public FfmpegProcessRegistry Processes => _app.Services.GetRequiredService<FfmpegProcessRegistry>();

    public Uri HttpBase { get; private set; } = null!;

    public string RtmpUrl(string key, string app = "live") => $"rtmp://127.0.0.1:{RtmpPort}/{app}/{key}";

    public SrtListener Srt => _app.Services.GetRequiredService<SrtListener>();

    /// <summary>The SRT URL ffmpeg publishes to (streamid in the <c>publish:</c> form unless given).</summary>
    public string SrtUrl(string key, string? streamId = null) => SrtUrl(Srt.EndPoint!.Port, streamId ?? $"publish:live/{key}");

    /// <summary>
    /// Not percent-encoded: ffmpeg 5.1 passes the streamid on as written (6.0 decodes it), and OBS does the same.
    /// </summary>
    public static string SrtUrl(int port, string streamId) => $"srt://127.0.0.1:{port}?streamid={streamId}";

    /// <summary>Settings that turn SRT on at a free UDP port.</summary>
    public static Dictionary<string, string?> WithSrt(IDictionary<string, string?>? settings = null)
    {
        var all = new Dictionary<string, string?>(settings ?? new Dictionary<string, string?>()) { ["Relay:Ingest:SrtPort"] = $"{FreePort.NextUdp()}" };
        return all;
    }

    public Uri FlvUrl(string channelId) => new(HttpBase, $"/live/{channelId}.flv");

    public static async Task<IngestTestHost> StartAsync(IDictionary<string, string?>? settings = null)
    {
        FfmpegAvailability.SkipIfMissing();
        var host = new IngestTestHost();
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Configuration.AddInMemoryCollection(Settings(new Dictionary<string, string?>
        {
            ["Relay:DataDir"] = host.DataDir,
            ["Relay:Ingest:RtmpPort"] = "0",
            ["Relay:Ingest:RtmpBindAddress"] = "127.0.0.1",
            ["Relay:Ingest:HandshakeTimeoutSeconds"] = "5",
            // Off unless a test turns them on: ingest tests count ffmpeg children and hub subscribers exactly.
            ["Relay:Hls:Enabled"] = "false",
            ["Relay:Recording:Enabled"] = "false",
        }, settings));
        builder.Logging.ClearProviders().AddProvider(host.Logs).SetMinimumLevel(LogLevel.Debug);
        builder.Services.AddSingleton<IPublishAuthorizer>(new TestAuthorizer());
        builder.Services.AddSingleton<ILiveChannelObserver>(host.Events);
        builder.Services.AddRelayIngest(builder.Configuration);
        host._app = builder.Build();
        host._app.MapRelayPlayback();
        try
        {
            await host._app.StartAsync(TestContext.Current.CancellationToken);
            var address = host._app.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses.First();
            host.HttpBase = new Uri(address);
            return host;
        }
        catch
        {
            await host.AbandonAsync();
            throw;
        }
    }

    /// <summary>Waits until the registry reports the channel live (or offline) within the timeout.</summary>
    public async Task WaitForLiveAsync(string channelId, bool live, TimeSpan timeout)
    {
        var until = DateTime.UtcNow + timeout;
        while (Channels.IsLive(channelId) != live)
        {
            if (DateTime.UtcNow > until)
            {
                Assert.Fail($"channel {channelId} did not become {(live ? "live" : "offline")} within {timeout}");
            }

            await Task.Delay(20, TestContext.Current.CancellationToken);
        }
    }

    /// <summary>Waits until the live channel's hub has a keyframe cached (media is flowing); fails after 5 s.</summary>
    public async Task AssertKeyframeArrivesAsync(string channelId, string what)
    {
        Assert.True(Channels.TryGetHub(channelId, out var hub), $"{channelId} is not live");
        var until = DateTime.UtcNow.AddSeconds(5);
        while (!hub.HasKeyframe && DateTime.UtcNow < until)
        {
            await Task.Delay(20, TestContext.Current.CancellationToken);
        }

        Assert.True(hub.HasKeyframe, what);
    }

    /// <summary>Waits until no ingest ffmpeg is tracked and none with this host's marker runs.</summary>
    public async Task AssertNoFfmpegLeftAsync(TimeSpan? timeout = null)
    {
        var until = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(5));
        while (Processes.Running.Count > 0 || ChildProcesses.WithOwnerMarker(Processes.OwnerMarker).Count > 0)
        {
            if (DateTime.UtcNow > until)
            {
                Assert.Fail($"ffmpeg children left: tracked {Processes.Running.Count}, running {ChildProcesses.WithOwnerMarker(Processes.OwnerMarker).Count}");
            }

            await Task.Delay(50, TestContext.Current.CancellationToken);
        }
    }

    /// <summary>No stream key anywhere in the logs (Debug included, so ffmpeg's stderr too), and no Error logs.</summary>
    public void AssertLogsClean()
    {
        var errors = Logs.Errors.ToList();
        Assert.True(errors.Count == 0, "unexpected error logs: " + string.Join(" | ", errors));

        var leaked = Logs.Lines.Where(l => l.Contains(DemoKey, StringComparison.Ordinal) || l.Contains(OtherKey, StringComparison.Ordinal) || l.Contains(LongKey, StringComparison.Ordinal) || l.Contains("WRONG-KEY", StringComparison.Ordinal)).ToList();
        Assert.True(leaked.Count == 0, "stream key in logs: " + string.Join(" | ", leaked));
    }

    protected override async ValueTask StopAsync()
    {
        var marker = Processes.OwnerMarker;
        try
        {
            using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(15));
            await _app.StopAsync(cts.Token);
        }
        finally
        {
            await _app.DisposeAsync();
            // Nothing may outlive the host: the registry awaited its children on stop.
            Assert.Empty(ChildProcesses.WithOwnerMarker(marker));
        }
    }

    private sealed class TestAuthorizer : IPublishAuthorizer
    {
        public ValueTask<PublishDecision> AuthorizeAsync(PublishRequest request, CancellationToken cancellationToken) =>
            ValueTask.FromResult(request.StreamKey switch
            {
                DemoKey => PublishDecision.Accept("demo"),
                OtherKey => PublishDecision.Accept("other"),
                var k when k == LongKey => PublishDecision.Accept("long"),
                Captures.PublishedKey => PublishDecision.Accept("capture"),
                var k when k.StartsWith(CapKeyPrefix, StringComparison.Ordinal) => PublishDecision.Accept("cap"),
                _ => PublishDecision.Reject(PublishRejectReason.BadKey),
            });
    }
}
