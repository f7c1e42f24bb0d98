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

/// <summary>Resolver the tests control: which channel is live with which source.</summary>
public sealed class TestSources : IEgressSourceResolver
{
    private readonly Dictionary<string, IEgressSource> _live = new();

    public void SetLive(string channelId, IEgressSource? source)
    {
        lock (_live)
        {
            if (source is null) _live.Remove(channelId);
            else _live[channelId] = source;
        }
    }

    public IEgressSource? Find(string channelId)
    {
        lock (_live) return _live.GetValueOrDefault(channelId);
    }
}

public static class EgressTestHost
{
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

    public static (EgressManager Manager, TestSources Sources, LogCapture Logs) Create(EgressOptions options)
    {
        var logs = new LogCapture();
        var loggers = LoggerFactory.Create(b => b.AddProvider(logs).SetMinimumLevel(LogLevel.Debug));
        var sources = new TestSources();
        var monitor = new StaticOptionsMonitor(options);
        var processes = new FfmpegProcessRegistry(
            Options.Create(new IngestOptions { DataDir = Directory.CreateTempSubdirectory("relay-egress-data-").FullName }),
            loggers.CreateLogger<FfmpegProcessRegistry>());
        var manager = new EgressManager(sources, new EgressPusherFactory(processes, TimeProvider.System, loggers), monitor, TimeProvider.System, loggers);
        return (manager, sources, logs);
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
