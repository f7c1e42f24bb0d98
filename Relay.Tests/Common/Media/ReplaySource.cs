using System.Diagnostics;
using Relay.Ingest.Egress.Source;
using Relay.Ingest.Media;
using Relay.Ingest.Streams;

namespace Relay.Tests.Common.Media;

/// <summary>
/// A live channel for egress tests: the ingest's real <see cref="StreamHub"/>, published to in real time from the
/// ffmpeg-encoded clip (looped with continuous timestamps), exposed through the production
/// <see cref="StreamHubEgressSource"/>. GOP cache and keyframe-aware drops are the hub's own.
/// </summary>
public sealed class ReplaySource : IEgressSource, IAsyncDisposable
{
    private readonly IReadOnlyList<FlvTag> _clip;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _loop;
    private readonly StreamHubEgressSource _source;
    private long _lastTimestamp;

    public ReplaySource(IReadOnlyList<FlvTag> clip, string channelId = "ch1")
    {
        _clip = clip;
        Hub = new StreamHub(channelId, DateTimeOffset.UtcNow);
        _source = new StreamHubEgressSource(Hub);
        _loop = Task.Run(() => RunAsync(_stop.Token));
    }

    public StreamHub Hub { get; }

    private readonly List<(double At, double LateMs)> _lateness = [];
    private Stopwatch? _testClock;

    /// <summary>Records emission lateness against the test's clock from now on.</summary>
    public void UseClock(Stopwatch clock) => _testClock = clock;

    /// <summary>
    /// How late the source itself emitted frames in a window (the test process was not scheduled in time). A gap at
    /// a sink that the source also had is not the egress path's doing.
    /// </summary>
    public double MaxLatenessMs(double fromMs, double toMs)
    {
        lock (_lateness) return _lateness.Where(l => l.At >= fromMs && l.At <= toMs).Select(l => l.LateMs).DefaultIfEmpty(0).Max();
    }

    /// <summary>Every media frame the source has emitted, by type and timestamp (to check what sinks received).</summary>
    public HashSet<(byte Type, uint Timestamp)> Emitted { get; } = [];

    /// <summary>The timestamp of the newest emitted frame.</summary>
    public uint LastTimestamp => (uint)Interlocked.Read(ref _lastTimestamp);

    public IngestStatus? Ingest => _source.Ingest;

    public IEgressFeed Subscribe(string subscriberName, int capacity) => _source.Subscribe(subscriberName, capacity);

    private async Task RunAsync(CancellationToken cancellationToken)
    {
        if (_clip.Count == 0) return;
        var clock = Stopwatch.StartNew();
        var clipDuration = _clip.Max(f => f.Timestamp) + 33u;
        uint offset = 0;
        var first = true;
        try
        {
            while (!cancellationToken.IsCancellationRequested)
            {
                foreach (var original in _clip)
                {
                    var isHeader = original.Kind is FlvTagKind.Metadata or FlvTagKind.VideoSequenceHeader or FlvTagKind.AudioSequenceHeader;
                    if (isHeader && !first) continue;
                    // The clip ends with the muxer's end-of-sequence tag; a looping live stream never sends it.
                    if (original.Kind is FlvTagKind.Other or FlvTagKind.VideoEndOfSequence) continue;
                    var tag = offset == 0 ? original : FlvTag.Create(original.Type, original.Timestamp + offset, original.Body.Span);
                    var wait = TimeSpan.FromMilliseconds(tag.Timestamp) - clock.Elapsed;
                    if (wait > TimeSpan.Zero) await Task.Delay(wait, cancellationToken);
                    var late = (clock.Elapsed - TimeSpan.FromMilliseconds(tag.Timestamp)).TotalMilliseconds;
                    lock (_lateness) _lateness.Add((_testClock?.Elapsed.TotalMilliseconds ?? 0, late));
                    lock (Emitted) Emitted.Add(((byte)tag.Type, tag.Timestamp));
                    Interlocked.Exchange(ref _lastTimestamp, tag.Timestamp);
                    Hub.Publish(tag);
                }

                first = false;
                offset += clipDuration;
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    /// <summary>The channel ends: the publisher stops and the hub completes every subscription.</summary>
    public async Task EndAsync()
    {
        await _stop.CancelAsync();
        await _loop;
        Hub.Complete();
    }

    public async ValueTask DisposeAsync()
    {
        await EndAsync();
        _stop.Dispose();
    }
}
