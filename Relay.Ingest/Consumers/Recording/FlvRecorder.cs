using System.Text.Json;
using Relay.Ingest.Media;
using Relay.Ingest.Streams;

namespace Relay.Ingest.Consumers.Recording;

/// <summary>
/// Records one live session as FLV written natively: the file header, then every tag as the hub delivers it, with
/// timestamps rebased so the first frame is at 0. No ffmpeg: a copy of the bytes Relay already has costs almost
/// nothing, and an FLV cut anywhere (kill -9, power loss) is still readable up to its last whole tag, unlike an MP4
/// whose index is written at the end. Also keeps the session's timeline of markers.
/// </summary>
internal sealed class FlvRecorder
{
    private static readonly TimeSpan FlushInterval = TimeSpan.FromSeconds(1);

    private readonly Lock _lock = new();
    private readonly List<TimelineEvent> _events = [];
    private readonly TimeProvider _time;
    private readonly Prometheus.Counter.Child _bytesCounter;
    private long _bytes;
    private long? _firstFrameTimestamp;
    private uint? _baseTimestamp;
    private uint _lastTimestamp;
    private DateTimeOffset? _endedAt;

    public FlvRecorder(string channelId, string id, string directory, DateTimeOffset startedAt, TimeProvider time)
    {
        ChannelId = channelId;
        Id = id;
        StartedAt = startedAt;
        _time = time;
        MediaPath = Path.Combine(directory, id + RecordingFileNames.MediaExtension);
        TimelinePath = Path.Combine(directory, id + RecordingFileNames.TimelineExtension);
        _bytesCounter = RecordingMetrics.Bytes.WithLabels(channelId);
    }

    public string ChannelId { get; }

    public string Id { get; }

    public DateTimeOffset StartedAt { get; }

    public string MediaPath { get; }

    public string TimelinePath { get; }

    public long Bytes => Interlocked.Read(ref _bytes);

    public double DurationSeconds
    {
        get { lock (_lock) return _lastTimestamp / 1000.0; }
    }

    /// <summary>Adds a marker at the current playback position of the recording (0 before the first frame), or at the
    /// position of the stream time <paramref name="streamTimeMs"/> (the file's timestamps are the stream's, rebased to its
    /// first frame), so the replay shows a stamped event with the picture it was stamped at.</summary>
    public void AddMarker(string kind, JsonElement? payload, long? streamTimeMs = null)
    {
        lock (_lock)
        {
            var offset = (streamTimeMs, _baseTimestamp) is ({ } ms, { } baseMs) ? Math.Max(0, ms - baseMs) / 1000.0
                : _firstFrameTimestamp is { } first ? _time.GetElapsedTime(first).TotalSeconds : 0;
            _events.Add(new TimelineEvent(Math.Round(offset, 3), _time.GetUtcNow(), kind, payload));
            SaveTimeline();
        }
    }

    /// <summary>Writes the session until the publisher goes (the subscription completes) or shutdown.</summary>
    public async Task RunAsync(StreamSubscription subscription, CancellationToken cancellationToken)
    {
        lock (_lock)
        {
            SaveTimeline();
        }

        var stream = new FileStream(MediaPath, FileMode.CreateNew, FileAccess.Write, FileShare.Read | FileShare.Delete, 64 * 1024, useAsync: true);
        await using (stream.ConfigureAwait(false))
        {
            try
            {
                await WriteAsync(stream, FlvTagReader.AudioVideoFileHeader.ToArray(), cancellationToken).ConfigureAwait(false);
                var header = new byte[FlvTag.HeaderSize];
                var lastFlush = _time.GetTimestamp();
                // Track 0 as the publisher sent it (E-RTMP HEVC/AV1 tags untouched); an E-RTMP v2 multitrack stream's
                // other tracks are left out: no FLV reader, mpegts.js included, knows multitrack packets.
                var reader = new TrackSelectingReader(subscription.Reader, new FlvTrackSelector(0));
                while (await reader.WaitToReadAsync(cancellationToken).ConfigureAwait(false))
                {
                    while (reader.TryRead(out var tag))
                    {
                        var serialized = tag.Serialized;
                        serialized.Span[..FlvTag.HeaderSize].CopyTo(header);
                        WriteTimestamp(header, Rebase(tag));
                        await WriteAsync(stream, header, cancellationToken).ConfigureAwait(false);
                        await WriteAsync(stream, serialized[FlvTag.HeaderSize..], cancellationToken).ConfigureAwait(false);
                    }

                    // Hand the bytes to the OS about once a second: a killed Relay then loses at most what the OS
                    // has not written, never what sits in our buffer for minutes.
                    if (_time.GetElapsedTime(lastFlush) >= FlushInterval)
                    {
                        await stream.FlushAsync(cancellationToken).ConfigureAwait(false);
                        lastFlush = _time.GetTimestamp();
                    }
                }
            }
            finally
            {
                await stream.FlushAsync(CancellationToken.None).ConfigureAwait(false);
                lock (_lock)
                {
                    _endedAt = _time.GetUtcNow();
                    SaveTimeline();
                }
            }
        }
    }

    public RecordingInfo ToInfo(bool inProgress)
    {
        lock (_lock)
        {
            return new RecordingInfo(Id, ChannelId, StartedAt, _endedAt, _lastTimestamp / 1000.0, Bytes,
                Path.GetFileName(MediaPath), Path.GetFileName(TimelinePath), inProgress);
        }
    }

    private uint Rebase(FlvTag tag)
    {
        lock (_lock)
        {
            if (tag.Kind == FlvTagKind.Metadata || tag.IsSequenceHeader)
            {
                // Headers come first with the session's timestamps; they belong at the start of the file.
                return _baseTimestamp is null ? 0 : (uint)Math.Max(0L, (long)tag.Timestamp - _baseTimestamp.Value);
            }

            if (_baseTimestamp is null)
            {
                _baseTimestamp = tag.Timestamp;
                _firstFrameTimestamp = _time.GetTimestamp();
            }

            var rebased = (uint)Math.Max(0L, (long)tag.Timestamp - _baseTimestamp.Value);
            if (rebased > _lastTimestamp)
            {
                _lastTimestamp = rebased;
            }

            return rebased;
        }
    }

    private static void WriteTimestamp(byte[] header, uint timestamp)
    {
        // FLV: 24-bit big-endian timestamp, then the upper 8 bits ("TimestampExtended").
        header[4] = (byte)(timestamp >> 16);
        header[5] = (byte)(timestamp >> 8);
        header[6] = (byte)timestamp;
        header[7] = (byte)(timestamp >> 24);
    }

    private async Task WriteAsync(FileStream stream, ReadOnlyMemory<byte> bytes, CancellationToken cancellationToken)
    {
        await stream.WriteAsync(bytes, cancellationToken).ConfigureAwait(false);
        Interlocked.Add(ref _bytes, bytes.Length);
        _bytesCounter.Inc(bytes.Length);
    }

    private void SaveTimeline() =>
        new RecordingTimeline(1, ChannelId, Path.GetFileName(MediaPath), StartedAt, _endedAt,
            _endedAt is null ? null : _lastTimestamp / 1000.0, [.. _events]).Save(TimelinePath);
}
