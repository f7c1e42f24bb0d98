namespace Relay.Common.Resilience;

/// <summary>
/// How a delay is drawn around its exponential ceiling: uniformly between <see cref="Low"/> and <see cref="High"/>
/// times the ceiling. Loops that fail together (every destination after a network outage, every packager after an
/// ffmpeg upgrade) must not retry in lockstep, so only loops that fail alone use <see cref="None"/>.
/// </summary>
public readonly record struct BackoffJitter
{
    private BackoffJitter(double low, double high)
    {
        Low = low;
        High = high;
    }

    /// <summary>Exactly the ceiling.</summary>
    public static BackoffJitter None { get; } = new(1, 1);

    /// <summary>Anywhere in [0, ceiling]: spreads a herd the most (AWS "full jitter").</summary>
    public static BackoffJitter Full { get; } = new(0, 1);

    /// <summary>Half fixed, half random, [ceiling / 2, ceiling]: never retries at once, still spreads out.</summary>
    public static BackoffJitter Equal { get; } = new(0.5, 1);

    public double Low { get; }

    public double High { get; }

    /// <summary>The ceiling ± <paramref name="fraction"/> of it, e.g. 0.2 for [0.8, 1.2] times the ceiling.</summary>
    public static BackoffJitter Around(double fraction)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(fraction);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(fraction, 1);
        return new BackoffJitter(1 - fraction, 1 + fraction);
    }
}
