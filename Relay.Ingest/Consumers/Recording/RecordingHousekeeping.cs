using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Relay.Ingest.Diagnostics;

namespace Relay.Ingest.Consumers.Recording;

/// <summary>
/// Keeps recordings from filling the disk the order database shares: watches free space every few seconds (stops
/// running recordings below <see cref="RecordingOptions.MinFreeBytes"/>; new ones are refused at start by
/// <see cref="RecordingService"/>) and deletes recordings older than <see cref="RecordingOptions.RetentionDays"/>
/// at start and hourly, logging each file it deletes.
/// </summary>
public sealed partial class RecordingHousekeeping(
    RecordingService recordings, IOptions<RecordingOptions> options, TimeProvider time, ILogger<RecordingHousekeeping> logger) : BackgroundService
{
    private static readonly TimeSpan DiskCheckInterval = TimeSpan.FromSeconds(5);
    private static readonly TimeSpan RetentionInterval = TimeSpan.FromHours(1);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var settings = options.Value;
        RecordingMetrics.MinFreeBytes.Set(settings.MinFreeBytes);
        var nextRetention = time.GetTimestamp();
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                CheckDisk(settings);
                if (settings.RetentionDays > 0 && time.GetElapsedTime(nextRetention) >= TimeSpan.Zero)
                {
                    DeleteExpired(TimeSpan.FromDays(settings.RetentionDays));
                    nextRetention = time.GetTimestamp() + (long)(RetentionInterval.TotalSeconds * time.TimestampFrequency);
                }
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                LogHousekeepingFailed(logger, ex);
            }

            try
            {
                await Task.Delay(DiskCheckInterval, time, stoppingToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    private void CheckDisk(RecordingOptions settings)
    {
        if (settings.MinFreeBytes <= 0)
        {
            return;
        }

        if (DiskSpace.FreeBytes(recordings.GuardedFolders) is { } free)
        {
            RecordingMetrics.DiskFreeBytes.Set(free);
            if (free < settings.MinFreeBytes)
            {
                recordings.StopAllForLowDisk(free);
            }
        }
    }

    /// <summary>Deletes every recording (media and timeline) last written before the retention period; never one in progress.</summary>
    internal int DeleteExpired(TimeSpan retention)
    {
        var root = recordings.RootDirectory;
        if (!Directory.Exists(root))
        {
            return 0;
        }

        var cutoff = time.GetUtcNow().UtcDateTime - retention;
        var deleted = 0;
        foreach (var channelDirectory in Directory.EnumerateDirectories(root))
        {
            var channelId = Path.GetFileName(channelDirectory);
            foreach (var media in Directory.EnumerateFiles(channelDirectory, "*" + RecordingFileNames.MediaExtension))
            {
                if (!RecordingFileNames.TryParse(Path.GetFileName(media), out var id, out _) || recordings.IsRecording(channelId, id))
                {
                    continue;
                }

                var file = new FileInfo(media);
                if (file.LastWriteTimeUtc >= cutoff)
                {
                    continue;
                }

                var bytes = file.Length;
                var lastWritten = file.LastWriteTimeUtc;
                file.Delete();
                File.Delete(Path.Combine(channelDirectory, id + RecordingFileNames.TimelineExtension));
                RecordingMetrics.Deleted.Inc();
                LogDeleted(logger, media, bytes, lastWritten, retention.TotalDays);
                deleted++;
            }
        }

        return deleted;
    }

    [LoggerMessage(EventId = EventIds.RecordingDeleted, Level = LogLevel.Information, Message = "Deleted recording {Path} ({Bytes} bytes, last written {LastWritten:u}): older than Relay:Recording:RetentionDays ({RetentionDays} days)")]
    private static partial void LogDeleted(ILogger logger, string path, long bytes, DateTime lastWritten, double retentionDays);

    [LoggerMessage(EventId = EventIds.RecordingHousekeepingFailed, Level = LogLevel.Warning, Message = "Recording housekeeping (free-space check, retention) failed; retrying")]
    private static partial void LogHousekeepingFailed(ILogger logger, Exception exception);
}
