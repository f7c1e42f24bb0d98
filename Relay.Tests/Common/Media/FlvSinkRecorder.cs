using Relay.Ingest.Media;

namespace Relay.Tests.Common.Media;

/// <summary>
/// Reads an FLV byte stream from a sink (an ffmpeg player's stdout or an HTTP-FLV response), records each tag's
/// arrival time and copies the bytes to a file for ffprobe.
/// </summary>
public sealed class FlvSinkRecorder : IAsyncDisposable
{
    private readonly List<ReceivedTag> _tags = [];
    private readonly System.Diagnostics.Stopwatch _clock;
    private readonly Task _loop;
    private readonly CancellationTokenSource _stop = new();
    private int _disposed;

    public FlvSinkRecorder(Stream source, System.Diagnostics.Stopwatch clock, string recordingPath)
    {
        _clock = clock;
        RecordingPath = recordingPath;
        _loop = Task.Run(() => ReadAsync(source, _stop.Token));
    }

    public string RecordingPath { get; }

    public IReadOnlyList<ReceivedTag> Tags { get { lock (_tags) return _tags.ToList(); } }

    public async Task<ReceivedTag> WaitForAsync(Func<ReceivedTag, bool> predicate, TimeSpan timeout)
    {
        var deadline = _clock.Elapsed + timeout;
        while (_clock.Elapsed < deadline)
        {
            lock (_tags)
            {
                foreach (var tag in _tags)
                {
                    if (predicate(tag)) return tag;
                }
            }

            await Task.Delay(20);
        }

        throw new TimeoutException($"no matching tag within {timeout.TotalSeconds} s ({Tags.Count} tags received)");
    }

    private async Task ReadAsync(Stream source, CancellationToken cancellationToken)
    {
        await using var file = File.Create(RecordingPath);
        var pending = new MemoryStream();
        var buffer = new byte[64 * 1024];
        var headerSkipped = false;
        try
        {
            while (true)
            {
                var n = await source.ReadAsync(buffer, cancellationToken);
                if (n == 0) break;
                await file.WriteAsync(buffer.AsMemory(0, n), cancellationToken);
                await file.FlushAsync(cancellationToken);
                pending.Write(buffer, 0, n);
                var data = pending.GetBuffer();
                var length = (int)pending.Length;
                var offset = 0;
                if (!headerSkipped)
                {
                    if (length < 13) continue;
                    offset = 13;
                    headerSkipped = true;
                }

                var now = _clock.Elapsed.TotalMilliseconds;
                while (offset + 11 <= length)
                {
                    var size = data[offset + 1] << 16 | data[offset + 2] << 8 | data[offset + 3];
                    if (offset + 11 + size + 4 > length) break;
                    var type = (byte)(data[offset] & 0x1F);
                    var ts = (uint)(data[offset + 4] << 16 | data[offset + 5] << 8 | data[offset + 6] | data[offset + 7] << 24);
                    var kind = FlvTagClassifier.Classify((FlvTagType)type, data.AsSpan(offset + 11, size));
                    lock (_tags)
                    {
                        _tags.Add(new ReceivedTag(type, ts, now, kind == FlvTagKind.VideoKeyframe,
                            kind is FlvTagKind.VideoSequenceHeader or FlvTagKind.AudioSequenceHeader));
                    }

                    offset += 11 + size + 4;
                }

                var rest = pending.GetBuffer().AsSpan(offset, length - offset).ToArray();
                pending.SetLength(0);
                pending.Write(rest);
            }
        }
        catch (Exception ex) when (ex is OperationCanceledException or IOException or HttpRequestException or ObjectDisposedException)
        {
        }
    }

    /// <summary>Largest gap between consecutive media arrivals within a window of the test clock.</summary>
    public double LargestGapMs(double fromMs, double toMs)
    {
        var arrivals = Tags.Where(t => t.Type is 8 or 9 && t.ArrivalMs >= fromMs && t.ArrivalMs <= toMs).Select(t => t.ArrivalMs).ToList();
        if (arrivals.Count < 2) return double.PositiveInfinity;
        return arrivals.Zip(arrivals.Skip(1)).Max(p => p.Second - p.First);
    }

    public async ValueTask DisposeAsync()
    {
        // Idempotent: a test may stop the recorder to read its file and still hold it in a using.
        if (Interlocked.Exchange(ref _disposed, 1) == 1) return;
        await _stop.CancelAsync();
        await _loop.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        _stop.Dispose();
    }
}
