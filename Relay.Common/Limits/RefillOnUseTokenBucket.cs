using System.Threading.RateLimiting;

namespace Relay.Common.Limits;

/// <summary>
/// A token bucket that refills from the time elapsed on its <see cref="TimeProvider"/> when it is used, and never on a
/// timer. The arithmetic is the framework's <see cref="TokenBucketRateLimiter"/> without auto-replenishment:
/// <c>TokensPerPeriod / ReplenishmentPeriod</c> pro rata, capped at <c>TokenLimit</c>, and a refusal's
/// <see cref="MetadataName.RetryAfter"/> in whole periods. It differs in its clock (a <see cref="TimeProvider"/>, so
/// tests drive it) and in <see cref="IdleDuration"/>, which counts from the moment the bucket became full rather than
/// from the refill that noticed it. No queue: a request that cannot be served now is refused.
/// </summary>
public sealed class RefillOnUseTokenBucket : ReplenishingRateLimiter
{
    private static readonly RateLimitLease Granted = new BucketLease(true, null);

    private readonly Lock _lock = new();
    private readonly TimeProvider _time;
    private readonly TokenBucketRateLimiterOptions _options;
    private readonly long _origin;

    // Whole numbers, so a token is back exactly when its time has passed: the clock in ticks since construction, and
    // the content in credit units, where a tick adds TokensPerPeriod units and a token costs ReplenishmentPeriod.Ticks.
    private readonly long _tokenCost;
    private readonly long _capacity;
    private long _credit;
    private long _updatedAt;
    private long? _fullSince;
    private long _granted;
    private long _refused;
    private bool _disposed;

    public RefillOnUseTokenBucket(TokenBucketRateLimiterOptions options, TimeProvider time)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(options.TokenLimit, 1, nameof(options.TokenLimit));
        ArgumentOutOfRangeException.ThrowIfLessThan(options.TokensPerPeriod, 1, nameof(options.TokensPerPeriod));
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(options.ReplenishmentPeriod, TimeSpan.Zero, nameof(options.ReplenishmentPeriod));
        if (options.AutoReplenishment || options.QueueLimit != 0)
        {
            throw new ArgumentException("This bucket refills when used and queues nothing: set AutoReplenishment = false and QueueLimit = 0.", nameof(options));
        }

        _options = options;
        _time = time;
        _origin = time.GetTimestamp();
        _tokenCost = options.ReplenishmentPeriod.Ticks;
        _capacity = checked(options.TokenLimit * _tokenCost);
        _credit = _capacity;
        _fullSince = 0;
    }

    public override bool IsAutoReplenishing => false;

    public override TimeSpan ReplenishmentPeriod => _options.ReplenishmentPeriod;

    public override TimeSpan? IdleDuration
    {
        get
        {
            lock (_lock)
            {
                var now = Now();
                Refill(now);
                return _fullSince is { } since ? TimeSpan.FromTicks(now - since) : null;
            }
        }
    }

    public override bool TryReplenish()
    {
        lock (_lock)
        {
            Refill(Now());
            return true;
        }
    }

    public override RateLimiterStatistics? GetStatistics()
    {
        lock (_lock)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            Refill(Now());
            return new RateLimiterStatistics
            {
                CurrentAvailablePermits = _credit / _tokenCost,
                CurrentQueuedCount = 0,
                TotalSuccessfulLeases = _granted,
                TotalFailedLeases = _refused,
            };
        }
    }

    protected override RateLimitLease AttemptAcquireCore(int permitCount)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThan(permitCount, _options.TokenLimit);
        lock (_lock)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            Refill(Now());
            // As the framework's bucket: zero permits asks whether anything is in the bucket, and takes nothing.
            var cost = permitCount * _tokenCost;
            if (permitCount == 0 ? _credit > 0 : _credit >= cost)
            {
                if (permitCount > 0)
                {
                    _credit -= cost;
                    _fullSince = null;
                }

                _granted++;
                return Granted;
            }

            _refused++;
            var missing = permitCount - (int)(_credit / _tokenCost);
            var periods = Math.Max(missing / _options.TokensPerPeriod, 1);
            return new BucketLease(false, _options.ReplenishmentPeriod * periods);
        }
    }

    protected override ValueTask<RateLimitLease> AcquireAsyncCore(int permitCount, CancellationToken cancellationToken) =>
        ValueTask.FromResult(AttemptAcquireCore(permitCount));

    protected override void Dispose(bool disposing)
    {
        lock (_lock)
        {
            _disposed = true;
        }

        base.Dispose(disposing);
    }

    private long Now() => _time.GetElapsedTime(_origin).Ticks;

    private void Refill(long now)
    {
        if (_credit < _capacity)
        {
            var elapsed = now - _updatedAt;
            var untilFull = (_capacity - _credit + _options.TokensPerPeriod - 1) / _options.TokensPerPeriod;
            if (elapsed >= untilFull)
            {
                // Full since the last missing unit came in, not since this refill noticed it.
                _credit = _capacity;
                _fullSince = _updatedAt + untilFull;
            }
            else
            {
                _credit += elapsed * _options.TokensPerPeriod;
            }
        }

        _updatedAt = now;
    }

    private sealed class BucketLease(bool isAcquired, TimeSpan? retryAfter) : RateLimitLease
    {
        public override bool IsAcquired => isAcquired;

        public override IEnumerable<string> MetadataNames => retryAfter is null ? [] : [MetadataName.RetryAfter.Name];

        public override bool TryGetMetadata(string metadataName, out object? metadata)
        {
            if (retryAfter is { } wait && metadataName == MetadataName.RetryAfter.Name)
            {
                metadata = wait;
                return true;
            }

            metadata = null;
            return false;
        }
    }
}
