using System.Diagnostics;
using System.Threading.Channels;
using Relay.Ingest.Egress.Source;

namespace Relay.Tests.Egress;

/// <summary>
/// Test stand-in for the ingest's StreamHub behind <see cref="IEgressSource"/>: replays the clip in real time, looping
/// with continuous timestamps, keeps metadata + sequence headers + the current GOP for late subscribers and gives
/// each subscriber a bounded queue that, when full, drops to the next keyframe. It never waits for a subscriber.
/// </summary>
public sealed class ReplaySource : IEgressSource, IAsyncDisposable
{
    private readonly object _gate = new();
    private readonly List<Feed> _feeds = [];
    private readonly List<EgressFrame> _headers = [];
    private readonly List<EgressFrame> _gop = [];
    private readonly IReadOnlyList<EgressFrame> _clip;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _loop;
    private bool _ended;

    public ReplaySource(IReadOnlyList<EgressFrame> clip)
    {
        _clip = clip;
        _loop = Task.Run(() => RunAsync(_stop.Token));
    }

    /// <summary>Every frame the source has emitted, with its timestamp (for checking what sinks received).</summary>
    public HashSet<(byte Type, uint Timestamp)> Emitted { get; } = [];

    /// <summary>The media time of the newest emitted frame.</summary>
    public uint LastTimestamp { get; private set; }

    public IEgressFeed Subscribe(string subscriberName, int capacity)
    {
        var feed = new Feed(this, capacity);
        lock (_gate)
        {
            foreach (var frame in _headers.Concat(_gop))
            {
                feed.Offer(frame);
            }

            if (_ended) feed.Complete();
            else _feeds.Add(feed);
        }

        return feed;
    }

    private async Task RunAsync(CancellationToken cancellationToken)
    {
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
                    var isHeader = original.Kind is EgressFrameKind.Metadata or EgressFrameKind.VideoSequenceHeader or EgressFrameKind.AudioSequenceHeader;
                    if (isHeader && !first) continue;
                    var frame = original with { Timestamp = original.Timestamp + offset };
                    var due = TimeSpan.FromMilliseconds(frame.Timestamp);
                    var wait = due - clock.Elapsed;
                    if (wait > TimeSpan.Zero) await Task.Delay(wait, cancellationToken);
                    Publish(frame, isHeader);
                }

                first = false;
                offset += clipDuration;
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    private void Publish(EgressFrame frame, bool isHeader)
    {
        lock (_gate)
        {
            if (isHeader) _headers.Add(frame);
            else
            {
                if (frame.Kind == EgressFrameKind.VideoKeyframe) _gop.Clear();
                _gop.Add(frame);
            }

            lock (Emitted) Emitted.Add((frame.TagType, frame.Timestamp));
            LastTimestamp = frame.Timestamp;
            foreach (var feed in _feeds) feed.Offer(frame);
        }
    }

    /// <summary>The channel ends: every feed completes.</summary>
    public async Task EndAsync()
    {
        await _stop.CancelAsync();
        await _loop;
        lock (_gate)
        {
            _ended = true;
            foreach (var feed in _feeds) feed.Complete();
            _feeds.Clear();
        }
    }

    public async ValueTask DisposeAsync()
    {
        await EndAsync();
        _stop.Dispose();
    }

    private void Remove(Feed feed)
    {
        lock (_gate) _feeds.Remove(feed);
    }

    private sealed class Feed(ReplaySource owner, int capacity) : IEgressFeed
    {
        private readonly Channel<EgressFrame> _queue = Channel.CreateUnbounded<EgressFrame>(new() { SingleWriter = true });
        private bool _skipToKeyframe;
        private long _dropped;
        private uint _newest;

        public ChannelReader<EgressFrame> Frames => _queue.Reader;

        public long DroppedFrames => Interlocked.Read(ref _dropped);

        public TimeSpan Backlog => _queue.Reader.TryPeek(out var oldest) ? TimeSpan.FromMilliseconds(Math.Max(0, (long)_newest - oldest.Timestamp)) : TimeSpan.Zero;

        public void Offer(EgressFrame frame)
        {
            if (_skipToKeyframe && frame.Kind is EgressFrameKind.VideoFrame or EgressFrameKind.AudioFrame)
            {
                Interlocked.Increment(ref _dropped);
                return;
            }

            if (frame.Kind == EgressFrameKind.VideoKeyframe) _skipToKeyframe = false;
            if (_queue.Reader.Count >= capacity)
            {
                // Full: drop what is queued and everything up to the next keyframe, never a partial GOP.
                while (_queue.Reader.TryRead(out _)) Interlocked.Increment(ref _dropped);
                Interlocked.Increment(ref _dropped);
                _skipToKeyframe = true;
                return;
            }

            _newest = frame.Timestamp;
            _queue.Writer.TryWrite(frame);
        }

        public void Complete() => _queue.Writer.TryComplete();

        public void Dispose()
        {
            owner.Remove(this);
            _queue.Writer.TryComplete();
        }
    }
}
