using Prometheus;
using Relay.Ingest.Media;

namespace Relay.Ingest.Egress;

/// <summary>
/// What one push attempt has put on the wire, counted by the writer and sampled by the destination's supervisor
/// (about once a second, on its own timer: bitrate, profile, platform checks, queue and drop metrics). Counting is all
/// a writer does here: adds and reference stores, no lock, no allocation, no callback, so the publisher's thread (an
/// inline write under the hub lock) runs nothing else. One writer at a time (the push session's write lock), readers
/// anywhere; the last keyframe's mark is read consistently with a sequence count (a seqlock).
/// </summary>
public sealed class PushCounters(Counter.Child? bytesMetric = null)
{
    private readonly TaskCompletionSource _live = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private long _bytes;
    private long _frames;
    private long _videoBytes;
    private bool _hasVideo;
    private bool _hasAudio;
    private FlvTag? _videoCodecTag;
    private FlvTag? _audioCodecTag;
    private int _keyframeVersion;
    private long _keyframes;
    private uint _keyframeTimestamp;
    private long _keyframeVideoBytes;

    /// <summary>Completes when the destination accepted the publish.</summary>
    public Task Live => _live.Task;

    /// <summary>Bytes written to the destination (RTMP wire bytes of media).</summary>
    public long BytesSent => Interlocked.Read(ref _bytes);

    public long FramesSent => Interlocked.Read(ref _frames);

    /// <summary>The destination accepted the publish (NetStream.Publish.Start).</summary>
    public void MarkLive() => _live.TrySetResult();

    /// <summary>A frame reached the transport at <paramref name="wireBytes"/>. Call only while owning the writer.</summary>
    public void Add(FlvTag frame, int wireBytes)
    {
        Interlocked.Add(ref _bytes, wireBytes);
        Interlocked.Increment(ref _frames);
        bytesMetric?.Inc(wireBytes);
        var length = frame.Body.Length;
        switch (frame.Kind)
        {
            case FlvTagKind.VideoSequenceHeader when length > 0:
                Volatile.Write(ref _videoCodecTag, frame);
                break;
            case FlvTagKind.AudioSequenceHeader or FlvTagKind.AudioFrame when length > 0:
                if (!_hasAudio)
                {
                    Volatile.Write(ref _audioCodecTag, frame);
                    Volatile.Write(ref _hasAudio, true);
                }

                break;
            case FlvTagKind.VideoKeyframe:
                MarkVideo(frame, length);
                var version = _keyframeVersion;
                Interlocked.Exchange(ref _keyframeVersion, version + 1); // odd: a mark is being written
                _keyframes++;
                _keyframeTimestamp = frame.Timestamp;
                _keyframeVideoBytes = _videoBytes;
                Volatile.Write(ref _keyframeVersion, version + 2);
                break;
            case FlvTagKind.VideoInterframe:
                MarkVideo(frame, length);
                break;
        }
    }

    private void MarkVideo(FlvTag frame, int length)
    {
        Interlocked.Add(ref _videoBytes, length);
        if (!_hasVideo)
        {
            Volatile.Write(ref _hasVideo, true);
            if (length > 0 && _videoCodecTag is null)
            {
                Volatile.Write(ref _videoCodecTag, frame);
            }
        }
    }

    /// <summary>A consistent view of the counters for the supervisor's sampler.</summary>
    public PushSample Sample()
    {
        var spinner = new SpinWait();
        while (true)
        {
            var version = Volatile.Read(ref _keyframeVersion);
            if ((version & 1) == 0)
            {
                var keyframes = _keyframes;
                var timestamp = _keyframeTimestamp;
                var videoBytes = _keyframeVideoBytes;
                Interlocked.MemoryBarrier();
                if (Volatile.Read(ref _keyframeVersion) == version)
                {
                    return new PushSample(BytesSent, FramesSent, Volatile.Read(ref _hasVideo), Volatile.Read(ref _hasAudio),
                        Volatile.Read(ref _videoCodecTag), Volatile.Read(ref _audioCodecTag), keyframes, timestamp, videoBytes);
                }
            }

            spinner.SpinOnce();
        }
    }
}
