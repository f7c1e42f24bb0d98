namespace Relay.Ingest.Consumers.Hls;

/// <summary>
/// Pause before restarting a crashed child: 0.5 s, doubling up to a cap, with ±20 % jitter so packagers of many
/// channels that died together (OOM, ffmpeg upgrade) do not restart in lockstep. A run that lasted longer than
/// <see cref="StableAfter"/> resets the count: one crash an hour is not a crash loop.
/// </summary>
internal sealed class RestartBackoff(TimeSpan max)
{
    public static readonly TimeSpan StableAfter = TimeSpan.FromSeconds(30);
    private static readonly TimeSpan First = TimeSpan.FromMilliseconds(500);

    private int _failures;

    public int Failures => _failures;

    public TimeSpan Next(TimeSpan lastRun)
    {
        _failures = lastRun >= StableAfter ? 1 : _failures + 1;
        var delay = First * Math.Pow(2, Math.Min(_failures - 1, 20));
        if (delay > max)
        {
            delay = max;
        }

        return delay * (0.8 + (Random.Shared.NextDouble() * 0.4));
    }
}
