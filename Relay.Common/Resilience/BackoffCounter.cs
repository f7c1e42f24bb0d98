namespace Relay.Common.Resilience;

/// <summary>
/// The failures in a row of one retry loop under a <see cref="BackoffPolicy"/>, and its waits on a
/// <see cref="TimeProvider"/> (a FakeTimeProvider drives them in tests). One loop, one counter: not thread-safe.
/// </summary>
public sealed class BackoffCounter(BackoffPolicy policy, TimeProvider time, Random? random = null)
{
    private readonly Random _random = random ?? Random.Shared;

    public BackoffPolicy Policy => policy;

    /// <summary>Failures in a row so far (0 after a success).</summary>
    public int Failures { get; private set; }

    /// <summary>
    /// Counts one more failure and returns the count. A run that was healthy for the policy's
    /// <see cref="BackoffPolicy.ResetAfter"/> before it failed starts the count over: this failure is the first.
    /// </summary>
    public int Fail(TimeSpan healthyFor = default)
    {
        if (policy.ResetAfter is { } resetAfter && healthyFor >= resetAfter)
        {
            Failures = 0;
        }

        return ++Failures;
    }

    /// <summary>The delay the current count asks for (a fresh draw each call).</summary>
    public TimeSpan Delay() => policy.Delay(Failures, _random);

    /// <summary><see cref="Fail"/> then <see cref="Delay"/>.</summary>
    public TimeSpan Next(TimeSpan healthyFor = default)
    {
        Fail(healthyFor);
        return Delay();
    }

    /// <summary>A success: the next failure is the first again.</summary>
    public void Reset() => Failures = 0;

    /// <summary>Waits <paramref name="delay"/> on the counter's clock.</summary>
    public Task WaitAsync(TimeSpan delay, CancellationToken cancellationToken) => Task.Delay(delay, time, cancellationToken);
}
