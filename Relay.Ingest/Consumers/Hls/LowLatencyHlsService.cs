using System.Collections.Concurrent;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Relay.Ingest.Diagnostics;
using Relay.Ingest.Streams;

namespace Relay.Ingest.Consumers.Hls;

/// <summary>
/// Low-latency HLS of every live channel, made in this process from the channel's <see cref="StreamHub"/> (no ffmpeg):
/// a <see cref="LowLatencyMuxer"/> per live session writes parts into a <see cref="LowLatencyStream"/> the endpoints
/// serve. The stream of an ended session stays readable for a few seconds (a player reads the end of the playlist),
/// then goes.
/// </summary>
public sealed partial class LowLatencyHlsService : IMirroredChannelObserver, IHostedService
{
    public const string SubscriberKind = "llhls";

    /// <summary>An ended session's playlist (with its ENDLIST) stays this long for the players still reading it.</summary>
    private static readonly TimeSpan KeepEnded = TimeSpan.FromSeconds(10);

    private readonly LiveChannelRegistry _channels;
    private readonly HlsOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger<LowLatencyHlsService> _logger;
    private readonly ChannelWorkers _workers;
    private readonly ConcurrentDictionary<string, LowLatencyStream> _streams = new(StringComparer.Ordinal);

    public LowLatencyHlsService(LiveChannelRegistry channels, IOptions<HlsOptions> options, TimeProvider time, ILogger<LowLatencyHlsService> logger)
    {
        _channels = channels;
        _options = options.Value;
        _time = time;
        _logger = logger;
        _workers = new ChannelWorkers(logger, "LL-HLS muxer");
    }

    public bool Enabled => _options.Enabled && _options.LowLatency;

    internal HlsOptions Options => _options;

    internal TimeProvider Time => _time;

    internal LowLatencyStream? StreamOf(string channelId) => _streams.GetValueOrDefault(channelId);

    public void ChannelLive(string channelId)
    {
        if (!Enabled || !_channels.TryGetHub(channelId, out var hub))
        {
            return;
        }

        var stream = new LowLatencyStream(_options);
        _workers.Start(channelId, async ct =>
        {
            _streams[channelId] = stream;
            try
            {
                await RunAsync(hub, stream, ct).ConfigureAwait(false);
                await Task.Delay(KeepEnded, _time, ct).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested)
            {
            }
            finally
            {
                _streams.TryRemove(new KeyValuePair<string, LowLatencyStream>(channelId, stream));
            }
        });
    }

    // The muxer ends by itself: the hub completes before observers hear "offline", which ends the subscription.
    public void ChannelOffline(string channelId)
    {
    }

    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StopAsync(CancellationToken cancellationToken) => _workers.StopAllAsync().WaitAsync(cancellationToken);

    private async Task RunAsync(StreamHub hub, LowLatencyStream stream, CancellationToken cancellationToken)
    {
        var muxer = new LowLatencyMuxer(stream, _options, _time);
        using var subscription = hub.Subscribe($"llhls-{hub.ChannelId}", SubscriberKind);
        var reader = subscription.Reader;
        var told = false;
        try
        {
            while (await reader.WaitToReadAsync(cancellationToken).ConfigureAwait(false))
            {
                while (reader.TryRead(out var tag))
                {
                    muxer.Add(tag);
                }

                if (!told && muxer.Unsupported is { } why)
                {
                    told = true;
                    LogUnsupported(_logger, hub.ChannelId, why);
                }
            }
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            LogFailed(_logger, ex, hub.ChannelId);
        }
        finally
        {
            muxer.Finish();
        }
    }

    [LoggerMessage(EventId = EventIds.LowLatencyHlsUnsupported, Level = LogLevel.Information, Message = "Channel {ChannelId} has no low-latency HLS: {Why}")]
    private static partial void LogUnsupported(ILogger logger, string channelId, string why);

    [LoggerMessage(EventId = EventIds.LowLatencyHlsFailed, Level = LogLevel.Error, Message = "Low-latency HLS of channel {ChannelId} failed; its playlist ends here")]
    private static partial void LogFailed(ILogger logger, Exception exception, string channelId);
}
