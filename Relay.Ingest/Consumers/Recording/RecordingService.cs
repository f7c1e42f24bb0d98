using System.Collections.Concurrent;
using System.Text.Json;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Relay.Ingest.Configuration;
using Relay.Ingest.Diagnostics;
using Relay.Ingest.Streams;

namespace Relay.Ingest.Consumers.Recording;

/// <summary>
/// Records every live session of every channel to <c>{DataDir}/recordings/{channelId}/{yyyyMMdd-HHmmss}.flv</c> with
/// a sidecar <c>.timeline.json</c>, and lets the server put markers (pin, unpin, flash sale) on the timeline of the
/// recording in progress. Recordings a crash interrupted are repaired at start (half-written tail cut, duration and
/// end filled in).
/// </summary>
public sealed partial class RecordingService : ILiveChannelObserver, IHostedService
{
    public const string SubscriberKind = "recorder";

    private readonly LiveChannelRegistry _channels;
    private readonly RecordingOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger<RecordingService> _logger;
    private readonly ChannelWorkers _workers;
    private readonly ConcurrentDictionary<string, FlvRecorder> _active = new(StringComparer.Ordinal);

    public RecordingService(
        LiveChannelRegistry channels,
        IOptions<IngestOptions> ingestOptions,
        IOptions<RecordingOptions> options,
        TimeProvider time,
        ILogger<RecordingService> logger)
    {
        _channels = channels;
        _options = options.Value;
        _time = time;
        _logger = logger;
        _workers = new ChannelWorkers(logger, "Recorder");
        RootDirectory = Path.Combine(Path.GetFullPath(ingestOptions.Value.DataDir), "recordings");
    }

    public bool Enabled => _options.Enabled;

    /// <summary><c>{DataDir}/recordings</c>.</summary>
    public string RootDirectory { get; }

    /// <summary>
    /// Puts a marker on the timeline of the channel's recording in progress, at its current playback position.
    /// Returns false when the channel is not being recorded (offline, or recording disabled).
    /// </summary>
    /// <param name="kind">Event kind, e.g. <c>pinned</c>, <c>unpinned</c>, <c>flashSale</c> (at most 64 characters).</param>
    /// <param name="payload">The event's data as JSON (the caller serializes its own type, camelCase), or null.</param>
    public bool AddMarker(string channelId, string kind, JsonElement? payload = null) => AddMarker(channelId, kind, payload, null);

    /// <summary><see cref="AddMarker(string, string, JsonElement?)"/> at the recording position of the stream time
    /// <paramref name="streamTimeMs"/> (the stamp of a media-time event) when given, else at the current position.</summary>
    public bool AddMarker(string channelId, string kind, JsonElement? payload, long? streamTimeMs)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(kind);
        if (kind.Length > 64 || !_active.TryGetValue(channelId, out var recorder))
        {
            return false;
        }

        try
        {
            recorder.AddMarker(kind, payload, streamTimeMs);
            return true;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            LogRecordingFailed(_logger, ex, channelId);
            return false;
        }
    }

    /// <summary>The channel's recordings, newest first. Empty for an unknown or unsafe channel id.</summary>
    public IReadOnlyList<RecordingInfo> List(string channelId)
    {
        if (!ChannelIds.IsSafe(channelId))
        {
            return [];
        }

        var directory = DirectoryOf(channelId);
        if (!Directory.Exists(directory))
        {
            return [];
        }

        _active.TryGetValue(channelId, out var current);
        var recordings = new List<RecordingInfo>();
        foreach (var file in Directory.EnumerateFiles(directory, "*" + RecordingFileNames.MediaExtension))
        {
            if (!RecordingFileNames.TryParse(Path.GetFileName(file), out var id, out _))
            {
                continue;
            }

            if (current is not null && current.Id == id)
            {
                recordings.Add(current.ToInfo(inProgress: true));
                continue;
            }

            var bytes = new FileInfo(file).Length;
            var timeline = RecordingTimeline.TryLoad(Path.Combine(directory, id + RecordingFileNames.TimelineExtension));
            var startedAt = timeline?.StartedAt ?? new DateTimeOffset(File.GetCreationTimeUtc(file));
            recordings.Add(new RecordingInfo(id, channelId, startedAt, timeline?.EndedAt, timeline?.DurationSeconds, bytes,
                id + RecordingFileNames.MediaExtension, id + RecordingFileNames.TimelineExtension, InProgress: false));
        }

        return [.. recordings.OrderByDescending(r => r.StartedAt)];
    }

    /// <summary>
    /// The full path of a recording file (FLV or timeline) of the channel, or null when the name is not a recording
    /// file name or does not exist. Names are validated before a path is built: no traversal.
    /// </summary>
    public string? ResolveFile(string channelId, string fileName, out bool isTimeline)
    {
        isTimeline = false;
        if (!ChannelIds.IsSafe(channelId) || !RecordingFileNames.TryParse(fileName, out _, out isTimeline))
        {
            return null;
        }

        var path = Path.Combine(DirectoryOf(channelId), fileName);
        return File.Exists(path) ? path : null;
    }

    /// <summary>Folder under <see cref="RootDirectory"/> that deleted channels' recordings move to; never a channel id.</summary>
    public const string DeletedFolder = ".deleted";

    /// <summary>
    /// The channel was deleted: once its recorder (if any) has written its last tag, its folder moves to
    /// <c>recordings/.deleted/{channelId}-{yyyyMMdd-HHmmss}</c>, so a channel created again under the same id starts
    /// with no recordings, and the files stay on disk for the operator (retention applies to them like to the rest).
    /// Returns the new folder, or null when there was nothing to move.
    /// </summary>
    public async Task<string?> ArchiveChannelAsync(string channelId, CancellationToken cancellationToken)
    {
        if (!ChannelIds.IsSafe(channelId))
        {
            return null;
        }

        // The recorder ends by itself when the channel's hub completes (the deletion stopped the ingest first).
        await _workers.WhenIdleAsync(channelId).WaitAsync(TimeSpan.FromSeconds(30), cancellationToken).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        var directory = DirectoryOf(channelId);
        if (!Directory.Exists(directory))
        {
            return null;
        }

        var stamp = _time.GetUtcNow().UtcDateTime.ToString("yyyyMMdd-HHmmss", System.Globalization.CultureInfo.InvariantCulture);
        var archive = Path.Combine(RootDirectory, DeletedFolder, $"{channelId}-{stamp}");
        for (var n = 2; Directory.Exists(archive); n++)
        {
            archive = Path.Combine(RootDirectory, DeletedFolder, $"{channelId}-{stamp}-{n}");
        }

        try
        {
            Directory.CreateDirectory(Path.Combine(RootDirectory, DeletedFolder));
            Directory.Move(directory, archive);
            LogRecordingsArchived(_logger, channelId, archive);
            return archive;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            LogRecordingFailed(_logger, ex, channelId);
            return null;
        }
    }

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

        if (!HasRoom(out var free))
        {
            // The disk also holds the order database: a full disk would stop purchases, so the recording gives way.
            RecordingMetrics.LowDiskStops.WithLabels("refused").Inc();
            LogNotRecordedLowDisk(_logger, channelId, free ?? 0, _options.MinFreeBytes);
            return;
        }

        // Subscribed now, on the notification, so the recording holds the session from its first tag.
        var subscription = hub.Subscribe($"recorder-{channelId}", SubscriberKind);
        var startedAt = _time.GetUtcNow();
        var started = _workers.Start(channelId, async ct =>
        {
            using (subscription)
            {
                var recorder = CreateRecorder(channelId, startedAt);
                if (recorder is null)
                {
                    return;
                }

                _active[channelId] = recorder;
                RecordingMetrics.Active.Inc();
                LogRecordingStarted(_logger, channelId, recorder.MediaPath);
                try
                {
                    await recorder.RunAsync(subscription, ct).ConfigureAwait(false);
                }
                catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
                {
                    // Disk full or gone: the recording stops, the live stream does not.
                    LogRecordingFailed(_logger, ex, channelId);
                }
                finally
                {
                    _active.TryRemove(new KeyValuePair<string, FlvRecorder>(channelId, recorder));
                    RecordingMetrics.Active.Dec();
                    LogRecordingEnded(_logger, channelId, recorder.MediaPath, recorder.DurationSeconds, recorder.Bytes, subscription.DroppedFrames);
                }
            }
        });
        if (!started)
        {
            subscription.Dispose();
        }
    }

    /// <summary>The folders whose disks the free-space guard watches: the recordings and the data directory (order database).</summary>
    internal string[] GuardedFolders => [RootDirectory, DataDirectory];

    internal string DataDirectory => Path.GetDirectoryName(RootDirectory)!;

    /// <summary>Channels being recorded now.</summary>
    internal IReadOnlyCollection<string> ActiveChannels => [.. _active.Keys];

    /// <summary>Recording ids in progress of the channel (their files must not be deleted).</summary>
    internal bool IsRecording(string channelId, string recordingId) =>
        _active.TryGetValue(channelId, out var recorder) && recorder.Id == recordingId;

    /// <summary>True when the watched disks have at least MinFreeBytes free (or the guard is off, or space cannot be read).</summary>
    internal bool HasRoom(out long? freeBytes)
    {
        freeBytes = _options.MinFreeBytes > 0 ? DiskSpace.FreeBytes(GuardedFolders) : null;
        return freeBytes is not { } free || free >= _options.MinFreeBytes;
    }

    /// <summary>Stops every running recording (free space ran low); the live sessions go on.</summary>
    internal void StopAllForLowDisk(long freeBytes)
    {
        foreach (var channelId in _active.Keys)
        {
            RecordingMetrics.LowDiskStops.WithLabels("stopped").Inc();
            LogStoppedLowDisk(_logger, channelId, freeBytes, _options.MinFreeBytes);
            _workers.Cancel(channelId);
        }
    }

    // The recorder ends by itself when the hub completes, after writing what was still queued.
    public void ChannelOffline(string channelId)
    {
    }

    public Task StartAsync(CancellationToken cancellationToken)
    {
        if (Directory.Exists(RootDirectory))
        {
            RecoverInterrupted();
        }

        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => _workers.StopAllAsync().WaitAsync(cancellationToken);

    private string DirectoryOf(string channelId) => Path.Combine(RootDirectory, channelId);

    private FlvRecorder? CreateRecorder(string channelId, DateTimeOffset startedAt)
    {
        var directory = DirectoryOf(channelId);
        try
        {
            Directory.CreateDirectory(directory);
            for (var attempt = 0; attempt < 1000; attempt++)
            {
                var id = RecordingFileNames.IdFor(startedAt, attempt);
                if (!File.Exists(Path.Combine(directory, id + RecordingFileNames.MediaExtension)))
                {
                    return new FlvRecorder(channelId, id, directory, startedAt, _time);
                }
            }
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            LogRecordingFailed(_logger, ex, channelId);
        }

        return null;
    }

    /// <summary>A timeline without an end belongs to a recording a crash (kill -9, power loss) interrupted.</summary>
    private void RecoverInterrupted()
    {
        foreach (var timelinePath in Directory.EnumerateFiles(RootDirectory, "*" + RecordingFileNames.TimelineExtension, SearchOption.AllDirectories))
        {
            try
            {
                var timeline = RecordingTimeline.TryLoad(timelinePath);
                if (timeline is null || timeline.EndedAt is not null)
                {
                    continue;
                }

                var mediaPath = timelinePath[..^RecordingFileNames.TimelineExtension.Length] + RecordingFileNames.MediaExtension;
                double duration = 0;
                var endedAt = timeline.StartedAt;
                if (File.Exists(mediaPath))
                {
                    var scan = FlvFileScanner.Scan(mediaPath);
                    using (var media = new FileStream(mediaPath, FileMode.Open, FileAccess.Write))
                    {
                        if (media.Length > scan.WholeTagsEnd && scan.WholeTagsEnd > 0)
                        {
                            media.SetLength(scan.WholeTagsEnd);
                        }
                    }

                    duration = scan.LastTimestamp / 1000.0;
                    endedAt = new DateTimeOffset(File.GetLastWriteTimeUtc(mediaPath));
                }

                (timeline with { EndedAt = endedAt, DurationSeconds = duration }).Save(timelinePath);
                LogRecovered(_logger, mediaPath, duration);
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                LogRecordingFailed(_logger, ex, timelinePath);
            }
        }
    }

    [LoggerMessage(EventId = EventIds.RecordingStarted, Level = LogLevel.Information, Message = "Recording channel {ChannelId} to {Path}")]
    private static partial void LogRecordingStarted(ILogger logger, string channelId, string path);

    [LoggerMessage(EventId = EventIds.RecordingEnded, Level = LogLevel.Information, Message = "Recording of channel {ChannelId} ended: {Path}, {DurationSeconds:0.0} s, {Bytes} bytes, {DroppedFrames} frames dropped")]
    private static partial void LogRecordingEnded(ILogger logger, string channelId, string path, double durationSeconds, long bytes, long droppedFrames);

    [LoggerMessage(EventId = EventIds.RecordingFailed, Level = LogLevel.Error, Message = "Recording of {ChannelId} failed")]
    private static partial void LogRecordingFailed(ILogger logger, Exception exception, string channelId);

    [LoggerMessage(EventId = EventIds.RecordingChannelIdUnusable, Level = LogLevel.Warning, Message = "Channel id {ChannelId} is not usable as a folder name; not recorded")]
    private static partial void LogUnsafeChannelId(ILogger logger, string channelId);

    [LoggerMessage(EventId = EventIds.RecordingsMovedOnDelete, Level = LogLevel.Information, Message = "Channel {ChannelId} was deleted: its recordings moved to {Path}")]
    private static partial void LogRecordingsArchived(ILogger logger, string channelId, string path);

    [LoggerMessage(EventId = EventIds.RecordingLowDisk, Level = LogLevel.Warning, Message = "Channel {ChannelId} is not recorded: {FreeBytes} bytes free on the data disk, below Relay:Recording:MinFreeBytes ({MinFreeBytes}); the live stream goes on")]
    private static partial void LogNotRecordedLowDisk(ILogger logger, string channelId, long freeBytes, long minFreeBytes);

    [LoggerMessage(EventId = EventIds.RecordingStoppedLowDisk, Level = LogLevel.Warning, Message = "Recording of channel {ChannelId} stopped: {FreeBytes} bytes free on the data disk, below Relay:Recording:MinFreeBytes ({MinFreeBytes}); the live stream goes on")]
    private static partial void LogStoppedLowDisk(ILogger logger, string channelId, long freeBytes, long minFreeBytes);

    [LoggerMessage(EventId = EventIds.RecordingRecovered, Level = LogLevel.Warning, Message = "Recovered interrupted recording {Path} ({DurationSeconds:0.0} s)")]
    private static partial void LogRecovered(ILogger logger, string path, double durationSeconds);
}
