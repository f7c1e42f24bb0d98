namespace Relay.Ingest.Egress.Supervision;

/// <summary>
/// Exponential backoff with full jitter (a uniform draw in [0, min(cap, base * 2^(n-1))]): after an outage every
/// destination of every channel retries at once otherwise, and the platform's edge sees a thundering herd.
/// </summary>
public static class RetryBackoff
{
    public static TimeSpan Ceiling(int failuresInRow, TimeSpan @base, TimeSpan cap)
    {
        if (failuresInRow < 1) return TimeSpan.Zero;
        var exponent = Math.Min(failuresInRow - 1, 30);
        var ceiling = @base.TotalMilliseconds * Math.Pow(2, exponent);
        return TimeSpan.FromMilliseconds(Math.Min(ceiling, cap.TotalMilliseconds));
    }

    public static TimeSpan Delay(int failuresInRow, TimeSpan @base, TimeSpan cap, Random random) =>
        TimeSpan.FromMilliseconds(random.NextDouble() * Ceiling(failuresInRow, @base, cap).TotalMilliseconds);
}
