using Relay.Tests.Common;
using System.Diagnostics;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Relay.Ingest.Egress;
using Relay.Ingest.Configuration;
using Relay.Ingest.Egress.Source;
using Relay.Ingest.Ffmpeg;
using Relay.Tests.Common.Media;

namespace Relay.Tests.Common.Hosts;

/// <summary>
/// An <see cref="EgressManager"/> built in this process with the real pusher factory and ffmpeg registry (its own data
/// directory), fed by <see cref="TestSources"/>. Dispose stops every destination, then checks the log.
/// </summary>
public sealed class EgressTestHost : TestHost
{
    private EgressTestHost(EgressOptions options)
        : base(dataDir: null, "relay-egress-data")
    {
        var loggers = LoggerFactory.Create(b => b.AddProvider(Logs).SetMinimumLevel(LogLevel.Debug));
        var processes = new FfmpegProcessRegistry(Options.Create(new IngestOptions { DataDir = DataDir }), loggers.CreateLogger<FfmpegProcessRegistry>());
        Manager = new EgressManager(Sources, new EgressPusherFactory(processes, TimeProvider.System, loggers), new StaticOptionsMonitor(options), TimeProvider.System, loggers);
    }

    public EgressManager Manager { get; }

    public TestSources Sources { get; } = new();

    /// <summary>Options for loopback tests: quick backoff, quick stall detection, small ack window and queue.</summary>
    public static EgressOptions FastOptions(string? trustedCa = null) => new()
    {
        QueueCapacity = 240,
        BackoffBaseSeconds = 0.2,
        BackoffCapSeconds = 1,
        HealthyPeriodSeconds = 5,
        FailuresBeforeFailed = 4,
        StallTimeoutSeconds = 1.5,
        SetupTimeoutSeconds = 3,
        AckWindowBytes = 64 * 1024,
        TrustedCaCertificatesPath = trustedCa,
    };

    public static EgressTestHost Create(EgressOptions options) => new(options);

    /// <summary>What a test works with: <c>var (manager, sources, logs) = host;</c>.</summary>
    public void Deconstruct(out EgressManager manager, out TestSources sources, out LogCapture logs) =>
        (manager, sources, logs) = (Manager, Sources, Logs);

    protected override ValueTask StopAsync() => Manager.DisposeAsync();

    /// <summary>Puts <paramref name="source"/> live on <paramref name="channel"/>, applies <paramref name="destinations"/>
    /// and returns once every one of them is live.</summary>
    public async Task GoLiveAsync(string channel, ReplaySource source, IReadOnlyList<EgressDestination> destinations, double seconds = 10)
    {
        Sources.SetLive(channel, source);
        await Manager.ApplyAsync(channel, destinations, TestContext.Current.CancellationToken);
        foreach (var destination in destinations)
        {
            await WaitLiveAsync(Manager, channel, destination.Id, seconds);
        }
    }

    public static async Task<EgressDestinationStatus> WaitForStateAsync(EgressManager manager, string channel, string destination, Func<EgressDestinationStatus, bool> predicate, TimeSpan timeout)
    {
        var clock = Stopwatch.StartNew();
        EgressDestinationStatus status;
        while (!predicate(status = manager.GetStatus(channel, destination)))
        {
            if (clock.Elapsed > timeout)
            {
                throw new TimeoutException($"{destination} still {status.StateName} ({status.LastError}) after {timeout.TotalSeconds} s");
            }

            await Task.Delay(25);
        }

        return status;
    }

    public static Task<EgressDestinationStatus> WaitLiveAsync(EgressManager manager, string channel, string destination, double seconds = 10) =>
        WaitForStateAsync(manager, channel, destination, s => s.State == EgressState.Live, TimeSpan.FromSeconds(seconds));

    private sealed class StaticOptionsMonitor(EgressOptions value) : IOptionsMonitor<EgressOptions>
    {
        public EgressOptions CurrentValue => value;

        public EgressOptions Get(string? name) => value;

        public IDisposable? OnChange(Action<EgressOptions, string?> listener) => null;
    }

    /// <summary>Every received media tag is one the source emitted with that very timestamp, and both tracks arrived.</summary>
    public static void AssertCarriesSource(FlvSinkRecorder recorder, ReplaySource source, string sink)
    {
        var media = recorder.Tags.Where(t => t.Type is 8 or 9 && !t.SequenceHeader).ToList();
        Assert.True(media.Any(t => t.Type == 8), $"{sink}: no audio");
        Assert.True(media.Any(t => t.Type == 9 && t.Keyframe), $"{sink}: no video keyframe");
        lock (source.Emitted)
        {
            var foreign = media.Where(t => !source.Emitted.Contains((t.Type, t.Timestamp))).Take(3).ToList();
            Assert.True(foreign.Count == 0, $"{sink}: timestamps the source never sent: {string.Join(", ", foreign)}");
        }
    }
}
