using System.Diagnostics;
using Relay.Ingest.Egress.Diagnostics;

namespace Relay.Tests.Common.Media;

/// <summary>
/// Watches one destination's bytes counter every few milliseconds and records the longest time it did not move:
/// the gap at Relay's own socket, without the sink's player and its scheduling in between.
/// </summary>
public sealed class WireGapMonitor : IAsyncDisposable
{
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _loop;
    private readonly List<(double At, double Gap)> _gaps = [];

    public WireGapMonitor(string channel, string destination, string platform, Stopwatch clock)
    {
        var counter = EgressMetrics.Bytes.WithLabels(channel, destination, platform);
        _loop = Task.Run(async () =>
        {
            var last = counter.Value;
            var lastChange = clock.Elapsed.TotalMilliseconds;
            while (!_stop.IsCancellationRequested)
            {
                await Task.Delay(2);
                var now = clock.Elapsed.TotalMilliseconds;
                var value = counter.Value;
                if (value != last)
                {
                    lock (_gaps) _gaps.Add((now, now - lastChange));
                    last = value;
                    lastChange = now;
                }
            }
        });
    }

    public double LargestGapMs(double fromMs, double toMs)
    {
        lock (_gaps) return _gaps.Where(g => g.At >= fromMs && g.At <= toMs).Select(g => g.Gap).DefaultIfEmpty(double.PositiveInfinity).Max();
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        await _loop;
        _stop.Dispose();
    }
}
