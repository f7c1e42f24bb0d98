using Relay.Ingest.Egress.Platforms;

namespace Relay.Ingest.Egress.Supervision;

/// <summary>
/// What a destination's supervisor learns from samples of its push's <see cref="PushCounters"/>: the bitrate over a
/// two-second window, the stream profile and the platform's warnings. Fed by the supervisor's sampling loop only (the
/// profiler is single-threaded); read by the status API from any thread.
/// </summary>
internal sealed class DestinationSampler(PlatformPreset preset, EgressProfile? checkedProfile, TimeProvider time)
{
    private static readonly TimeSpan BitrateWindow = TimeSpan.FromSeconds(2);

    /// <summary>Samples come every second from the window's start, and a timer may fire a few milliseconds early.</summary>
    private static readonly TimeSpan EarlyTick = TimeSpan.FromMilliseconds(100);
    private readonly StreamProfiler _profiler = new();
    private readonly Lock _gate = new();
    private long _windowStart;
    private long _windowStartBytes;
    private double _bitrateKbps;
    private IReadOnlyList<string> _warnings = [];

    /// <summary>Bytes per second over the last full window, in kbit/s (the last push's, until a new one measured it).</summary>
    public double BitrateKbps
    {
        get { lock (_gate) return _bitrateKbps; }
    }

    public IReadOnlyList<string> Warnings
    {
        get { lock (_gate) return _warnings; }
    }

    /// <summary>A push went live: its bitrate window starts now, at the bytes it has sent so far.</summary>
    public void Restart(long bytesSent)
    {
        lock (_gate)
        {
            _windowStart = time.GetTimestamp();
            _windowStartBytes = bytesSent;
        }
    }

    public void Observe(PushSample sample)
    {
        _profiler.Observe(sample);
        var warnings = PlatformChecks.Evaluate(preset, _profiler.Current, checkedProfile);
        var now = time.GetTimestamp();
        lock (_gate)
        {
            var elapsed = time.GetElapsedTime(_windowStart, now);
            if (elapsed >= BitrateWindow - EarlyTick)
            {
                _bitrateKbps = (sample.Bytes - _windowStartBytes) * 8 / elapsed.TotalSeconds / 1000;
                _windowStartBytes = sample.Bytes;
                _windowStart = now;
            }

            _warnings = warnings;
        }
    }
}
