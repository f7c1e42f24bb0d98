using System.Globalization;
using System.Text;

namespace Relay.Ingest.Consumers.Hls;

/// <summary>
/// The LL-HLS rendition of one live channel, in memory: init segments, the last segments and the parts of the newest
/// ones, and the playlist made from them (RFC 8216bis: <c>EXT-X-PART</c>, <c>EXT-X-PRELOAD-HINT</c>, blocking playlist
/// reload). The muxer writes; HTTP requests read and wait for a part or segment that is about to exist. Bounded: the
/// playlist's segments, parts for the newest <see cref="SegmentsWithParts"/> of them.
/// </summary>
internal sealed class LowLatencyStream(HlsOptions options)
{
    /// <summary>Segments whose parts stay listed and served (the spec asks for parts within the last three target durations).</summary>
    public const int SegmentsWithParts = 3;

    private readonly Lock _lock = new();
    private readonly List<LowLatencySegment> _segments = [];
    private readonly Dictionary<int, byte[]> _inits = [];
    private TaskCompletionSource _changed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int _discontinuitiesDropped;
    private int _targetSeconds = Math.Max(1, (int)Math.Ceiling(options.SegmentSeconds));
    private bool _ended;

    public double PartTargetSeconds { get; } = options.PartSeconds;

    public bool HasPlaylist
    {
        get { lock (_lock) return _segments.Count > 0 && (_segments[0].Parts.Count > 0 || _segments[0].Complete); }
    }

    public bool Ended
    {
        get { lock (_lock) return _ended; }
    }

    public void AddInit(int version, byte[] bytes)
    {
        lock (_lock)
        {
            _inits[version] = bytes;
            // Older versions stay while a listed segment needs them.
            var needed = _segments.Select(s => s.InitVersion).Append(version).ToHashSet();
            foreach (var v in _inits.Keys.Where(v => !needed.Contains(v)).ToList()) _inits.Remove(v);
        }
    }

    public void StartSegment(long sequence, int initVersion, bool discontinuity, DateTimeOffset programDateTime)
    {
        lock (_lock)
        {
            _segments.Add(new LowLatencySegment(sequence, initVersion, discontinuity, programDateTime));
            while (_segments.Count > options.PlaylistSize + 1)
            {
                if (_segments[0].Discontinuity) _discontinuitiesDropped++;
                _segments.RemoveAt(0);
            }

            for (var i = 0; i < _segments.Count - SegmentsWithParts - 1; i++) _segments[i].DropParts();
        }
    }

    public void AddPart(LowLatencyPart part)
    {
        lock (_lock)
        {
            if (_segments.Count == 0) throw new InvalidOperationException("a part before any segment");
            _segments[^1].Add(part);
            Signal();
        }
    }

    public void CloseSegment()
    {
        lock (_lock)
        {
            if (_segments.Count == 0 || _segments[^1].Complete) return;
            var last = _segments[^1];
            if (last.Parts.Count == 0)
            {
                _segments.RemoveAt(_segments.Count - 1);
                return;
            }

            last.Close();
            _targetSeconds = Math.Max(_targetSeconds, (int)Math.Round(last.DurationSeconds, MidpointRounding.AwayFromZero));
            Signal();
        }
    }

    public void End()
    {
        lock (_lock)
        {
            _ended = true;
            Signal();
        }
    }

    public byte[]? Init(int version)
    {
        lock (_lock) return _inits.GetValueOrDefault(version);
    }

    public byte[]? Segment(long sequence)
    {
        lock (_lock) return Find(sequence)?.Bytes;
    }

    public byte[]? Part(long sequence, int index)
    {
        lock (_lock)
        {
            var segment = Find(sequence);
            return segment is { HasParts: true } && index < segment.Parts.Count ? segment.Parts[index].Bytes : null;
        }
    }

    /// <summary>
    /// Whether a part or segment can still come: it is the next part of the open segment or the first of the next
    /// one (the preload hint and what follows it). A player waiting for anything further is answered at once.
    /// </summary>
    public bool IsNext(long sequence, int index)
    {
        lock (_lock)
        {
            if (_ended || _segments.Count == 0) return false;
            var last = _segments[^1];
            return (sequence == last.Sequence && !last.Complete && index <= last.Parts.Count + 1)
                || (sequence == last.Sequence + 1 && index <= 1);
        }
    }

    /// <summary>Blocking playlist reload: has the playlist reached segment <paramref name="msn"/> (and its part <paramref name="part"/>)?</summary>
    public bool Has(long msn, int? part)
    {
        lock (_lock)
        {
            if (_ended || _segments.Count == 0) return _ended;
            var last = _segments[^1];
            if (msn < last.Sequence) return true;
            if (msn > last.Sequence) return false;
            return part is null ? last.Complete : last.Parts.Count > part || last.Complete;
        }
    }

    /// <summary>The newest media sequence number, for refusing a blocking request too far ahead.</summary>
    public long? LastSequence
    {
        get { lock (_lock) return _segments.Count > 0 ? _segments[^1].Sequence : null; }
    }

    /// <summary>Waits until <paramref name="ready"/> holds or <paramref name="timeout"/> passes; true when it holds.</summary>
    public async Task<bool> WaitAsync(Func<bool> ready, TimeSpan timeout, TimeProvider time, CancellationToken cancellationToken)
    {
        var deadline = time.GetTimestamp() + (long)(timeout.TotalSeconds * time.TimestampFrequency);
        while (true)
        {
            Task changed;
            lock (_lock) changed = _changed.Task;
            if (ready()) return true;
            var left = TimeSpan.FromSeconds((double)(deadline - time.GetTimestamp()) / time.TimestampFrequency);
            if (left <= TimeSpan.Zero) return false;
            try
            {
                await changed.WaitAsync(left, time, cancellationToken).ConfigureAwait(false);
            }
            catch (TimeoutException)
            {
                return ready();
            }
        }
    }

    public string Playlist()
    {
        lock (_lock)
        {
            var b = new StringBuilder(1024);
            var target = _targetSeconds;
            if (_segments.Count > 0 && !_segments[^1].Complete)
                target = Math.Max(target, (int)Math.Ceiling(_segments[^1].DurationSeconds));
            b.Append("#EXTM3U\n#EXT-X-VERSION:9\n");
            Line(b, $"#EXT-X-TARGETDURATION:{target}");
            Line(b, $"#EXT-X-SERVER-CONTROL:CAN-BLOCK-RELOAD=YES,PART-HOLD-BACK={Seconds(3 * PartTargetSeconds)}");
            Line(b, $"#EXT-X-PART-INF:PART-TARGET={Seconds(PartTargetSeconds)}");
            Line(b, $"#EXT-X-MEDIA-SEQUENCE:{(_segments.Count > 0 ? _segments[0].Sequence : 0)}");
            // The first listed segment's own discontinuity (not written as a tag) counts too.
            var discontinuitySequence = _discontinuitiesDropped + (_segments.Count > 0 && _segments[0].Discontinuity ? 1 : 0);
            if (discontinuitySequence > 0) Line(b, $"#EXT-X-DISCONTINUITY-SEQUENCE:{discontinuitySequence}");
            int? mapped = null;
            for (var i = 0; i < _segments.Count; i++)
            {
                var s = _segments[i];
                if (s.Parts.Count == 0 && !s.Complete) continue; // just opened: nothing to list yet but the hint
                if (s.Discontinuity && i > 0) b.Append("#EXT-X-DISCONTINUITY\n");
                if (mapped != s.InitVersion)
                {
                    Line(b, $"#EXT-X-MAP:URI=\"{LowLatencyFileNames.Init(s.InitVersion)}\"");
                    mapped = s.InitVersion;
                }

                Line(b, $"#EXT-X-PROGRAM-DATE-TIME:{s.ProgramDateTime.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture)}");
                if (s.HasParts)
                {
                    for (var p = 0; p < s.Parts.Count; p++)
                    {
                        var part = s.Parts[p];
                        Line(b, $"#EXT-X-PART:DURATION={Seconds(part.DurationSeconds)},URI=\"{LowLatencyFileNames.Part(s.Sequence, p)}\"{(part.Independent ? ",INDEPENDENT=YES" : "")}");
                    }
                }

                if (s.Complete)
                {
                    Line(b, $"#EXTINF:{Seconds(s.DurationSeconds)},");
                    Line(b, LowLatencyFileNames.Segment(s.Sequence));
                }
            }

            if (_ended)
            {
                b.Append("#EXT-X-ENDLIST\n");
            }
            else if (_segments.Count > 0)
            {
                var last = _segments[^1];
                var (sequence, index) = last.Complete ? (last.Sequence + 1, 0) : (last.Sequence, last.Parts.Count);
                Line(b, $"#EXT-X-PRELOAD-HINT:TYPE=PART,URI=\"{LowLatencyFileNames.Part(sequence, index)}\"");
            }

            return b.ToString();
        }
    }

    private LowLatencySegment? Find(long sequence)
    {
        foreach (var s in _segments)
        {
            if (s.Sequence == sequence) return s;
        }

        return null;
    }

    private void Signal()
    {
        var changed = _changed;
        _changed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        changed.TrySetResult();
    }

    private static void Line(StringBuilder b, string line) => b.Append(line).Append('\n');

    private static string Seconds(double seconds) => seconds.ToString("0.000", CultureInfo.InvariantCulture);
}
