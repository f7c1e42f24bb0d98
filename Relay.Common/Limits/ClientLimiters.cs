using System.Threading.RateLimiting;

namespace Relay.Common.Limits;

/// <summary>
/// One rate limiter per key (a client address, with whatever else the caller counts by), created on first use and
/// dropped after <see cref="DefaultIdleLimit"/> without use: the HTTP load limits and the guest mint budget. It stands in
/// for <c>PartitionedRateLimiter.Create</c>, whose partitions are refilled and swept by a 100 ms timer that runs for
/// the life of the process: ten thread-pool wake-ups a second on an idle server (docs/benchmarks.md, "Fixed cost").
/// Here nothing is scheduled: a bucket refills from the time elapsed when it is used (<see cref="RefillOnUseTokenBucket"/>),
/// and idle limiters are swept on the request path at most once per idle limit. Lookup, sweep and acquisition share
/// one lock, so a limiter is never dropped between being found and being acquired.
/// </summary>
public sealed class ClientLimiters<TKey>(Func<TKey, RateLimiter> create, TimeProvider time, TimeSpan? idleLimit = null) : IDisposable
    where TKey : notnull
{
    /// <summary>The framework's partitioned limiter drops a partition idle this long; the same here.</summary>
    public static readonly TimeSpan DefaultIdleLimit = TimeSpan.FromSeconds(10);

    private readonly TimeSpan _idleLimit = idleLimit ?? DefaultIdleLimit;
    private readonly Dictionary<TKey, RateLimiter> _limiters = [];
    private long _sweptAt = time.GetTimestamp();
    private bool _disposed;

    public RateLimitLease AttemptAcquire(TKey key, int permitCount)
    {
        lock (_limiters)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            if (time.GetElapsedTime(_sweptAt) >= _idleLimit)
            {
                SweepIdle();
            }

            if (!_limiters.TryGetValue(key, out var limiter))
            {
                _limiters[key] = limiter = create(key);
            }

            (limiter as ReplenishingRateLimiter)?.TryReplenish();
            return limiter.AttemptAcquire(permitCount);
        }
    }

    /// <summary>Limiters in this set now (for tests).</summary>
    public int Count
    {
        get
        {
            lock (_limiters)
            {
                return _limiters.Count;
            }
        }
    }

    private void SweepIdle()
    {
        _sweptAt = time.GetTimestamp();
        List<TKey>? idle = null;
        foreach (var (key, limiter) in _limiters)
        {
            // The framework's bucket only notices it is full (idle) when it is refilled.
            (limiter as ReplenishingRateLimiter)?.TryReplenish();
            if (limiter.IdleDuration >= _idleLimit)
            {
                (idle ??= []).Add(key);
            }
        }

        foreach (var key in idle ?? [])
        {
            _limiters.Remove(key, out var limiter);
            limiter!.Dispose();
        }
    }

    public void Dispose()
    {
        lock (_limiters)
        {
            _disposed = true;
            foreach (var limiter in _limiters.Values)
            {
                limiter.Dispose();
            }

            _limiters.Clear();
        }
    }
}
