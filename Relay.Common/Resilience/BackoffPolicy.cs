namespace Relay.Common.Resilience;

/// <summary>
/// The one retry-delay rule of Relay: failure <c>n</c> (1, 2, 3 ...) waits a draw of <see cref="Jitter"/> around the
/// ceiling <c>min(Cap, First * 2^(n-1))</c>. Egress reconnects, HLS packager restarts, order delivery, the order
/// dispatcher's loop and the RTMP accept loop each state their numbers as one of these (docs/egress.md,
/// docs/playback.md, docs/live-room.md). Pure: the caller brings the <see cref="Random"/> (seeded in tests) and waits
/// on its <see cref="TimeProvider"/> (see <see cref="BackoffCounter"/>).
/// </summary>
/// <param name="First">The ceiling of the first failure's delay.</param>
/// <param name="Cap">The largest ceiling. A jitter above 1 (<see cref="BackoffJitter.Around"/>) may draw past it.</param>
/// <param name="Jitter">How a delay is drawn under (or around) its ceiling.</param>
public sealed record BackoffPolicy(TimeSpan First, TimeSpan Cap, BackoffJitter Jitter)
{
    // 2^30 times any sensible First is past any sensible cap; the bound keeps Math.Pow finite.
    private const int MaxDoublings = 30;

    /// <summary>
    /// A run that lasted this long before it failed was healthy: its failure counts as the first again, so one crash an
    /// hour is never treated as a crash loop. Null: the count only starts over on <see cref="BackoffCounter.Reset"/>.
    /// </summary>
    public TimeSpan? ResetAfter { get; init; }

    /// <summary><c>min(Cap, First * 2^(failures-1))</c>; zero before the first failure.</summary>
    public TimeSpan Ceiling(int failures)
    {
        if (failures < 1)
        {
            return TimeSpan.Zero;
        }

        var ceiling = First.TotalMilliseconds * Math.Pow(2, Math.Min(failures - 1, MaxDoublings));
        return TimeSpan.FromMilliseconds(Math.Min(ceiling, Cap.TotalMilliseconds));
    }

    /// <summary>The delay after failure number <paramref name="failures"/>: a uniform draw of <see cref="Jitter"/> around its ceiling.</summary>
    public TimeSpan Delay(int failures, Random random)
    {
        var ceiling = Ceiling(failures).TotalMilliseconds;
        var factor = Jitter.Low + (random.NextDouble() * (Jitter.High - Jitter.Low));
        return TimeSpan.FromMilliseconds(ceiling * factor);
    }
}
