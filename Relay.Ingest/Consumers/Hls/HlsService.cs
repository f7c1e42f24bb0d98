using System.Collections.Concurrent;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Relay.Ingest.Configuration;
using Relay.Ingest.Diagnostics;
using Relay.Ingest.Ffmpeg;
using Relay.Ingest.Streams;

namespace Relay.Ingest.Consumers.Hls;

/// <summary>
/// Runs one <see cref="HlsPackager"/> per live channel under <c>{DataDir}/hls/{channelId}/</c>: started when the
/// channel goes live, stopped and its folder removed when the publisher goes. Folders a crashed predecessor left
/// are removed at start.
/// </summary>
public sealed partial class HlsService : IMirroredChannelObserver, IHostedService
{
    private readonly LiveChannelRegistry _channels;
    private readonly FfmpegProcessRegistry _processes;
    private readonly HlsOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger<HlsService> _logger;
    private readonly ChannelWorkers _workers;
    private readonly ConcurrentDictionary<string, HlsPackager> _packagers = new(StringComparer.Ordinal);

    public HlsService(
        LiveChannelRegistry channels,
        FfmpegProcessRegistry processes,
        IOptions<IngestOptions> ingestOptions,
        IOptions<HlsOptions> options,
        TimeProvider time,
        ILogger<HlsService> logger)
    {
        _channels = channels;
        _processes = processes;
        _options = options.Value;
        _time = time;
        _logger = logger;
        _workers = new ChannelWorkers(logger, "HLS packager");
        RootDirectory = Path.Combine(Path.GetFullPath(ingestOptions.Value.DataDir), "hls");
    }

    public bool Enabled => _options.Enabled;

    /// <summary><c>{DataDir}/hls</c>.</summary>
    public string RootDirectory { get; }

    internal HlsOptions Options => _options;

    public string DirectoryOf(string channelId) => Path.Combine(RootDirectory, channelId);

    /// <summary>PID of the channel's packager ffmpeg while one runs (tests kill it).</summary>
    internal int? PackagerPid(string channelId) => _packagers.TryGetValue(channelId, out var p) ? p.Pid : null;

    /// <summary>How often the channel's packager was restarted in this live session.</summary>
    internal int PackagerRestarts(string channelId) => _packagers.TryGetValue(channelId, out var p) ? p.Restarts : 0;

    /// <summary>The video codec that keeps the channel's live session out of HLS (hevc, av1...), or null.</summary>
    public string? UnpackagedCodec(string channelId) => _packagers.TryGetValue(channelId, out var p) ? p.UnpackagedCodec : null;

    /// <summary>True while a packager (or its cleanup) runs for the channel.</summary>
    internal bool IsPackaging(string channelId) => _workers.IsRunning(channelId);

    public void ChannelLive(string channelId)
    {
        if (!_options.Enabled || !_channels.TryGetHub(channelId, out var hub))
        {
            return;
        }

        if (!ChannelIds.IsSafe(channelId))
        {
            LogUnsafeChannelId(_logger, channelId);
            return;
        }

        var packager = new HlsPackager(hub, DirectoryOf(channelId), _options, _processes, _time, _logger);
        _workers.Start(channelId, async ct =>
        {
            _packagers[channelId] = packager;
            try
            {
                await packager.RunAsync(ct).ConfigureAwait(false);
            }
            finally
            {
                _packagers.TryRemove(new KeyValuePair<string, HlsPackager>(channelId, packager));
            }
        });
    }

    // The packager ends by itself: the hub completes before observers hear "offline", which ends ffmpeg's input.
    public void ChannelOffline(string channelId)
    {
    }

    public Task StartAsync(CancellationToken cancellationToken)
    {
        try
        {
            // Nothing in here outlives a process: a crashed predecessor's playlists would be served as live.
            if (Directory.Exists(RootDirectory))
            {
                Directory.Delete(RootDirectory, recursive: true);
            }
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            LogStaleCleanupFailed(_logger, ex, RootDirectory);
        }

        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => _workers.StopAllAsync().WaitAsync(cancellationToken);

    [LoggerMessage(EventId = EventIds.HlsDisabled, Level = LogLevel.Warning, Message = "Channel id {ChannelId} is not usable as a folder name; no HLS for it")]
    private static partial void LogUnsafeChannelId(ILogger logger, string channelId);

    [LoggerMessage(EventId = EventIds.HlsStaleCleanupFailed, Level = LogLevel.Warning, Message = "Could not remove stale HLS files under {Directory}")]
    private static partial void LogStaleCleanupFailed(ILogger logger, Exception exception, string directory);
}
