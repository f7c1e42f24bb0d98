namespace Relay.Chat.Rooms;

/// <summary>Classic token bucket on a caller-supplied clock, so tests drive it with a fake TimeProvider.</summary>
internal sealed class TokenBucket
{
    private readonly Lock _gate = new();
    private readonly double _capacity;
    private readonly double _refillPerSecond;
    private double _tokens;
    private DateTimeOffset _last;

    public TokenBucket(double capacity, double refillPerSecond, DateTimeOffset now) =>
        (_capacity, _refillPerSecond, _tokens, _last) = (capacity, refillPerSecond, capacity, now);

    /// <summary>Takes one token; otherwise says how long until one is there.</summary>
    public bool TryTake(DateTimeOffset now, out TimeSpan wait)
    {
        lock (_gate)
        {
            if (now > _last)
            {
                _tokens = Math.Min(_capacity, _tokens + (now - _last).TotalSeconds * _refillPerSecond);
                _last = now;
            }
            if (_tokens >= 1)
            {
                _tokens -= 1;
                wait = TimeSpan.Zero;
                return true;
            }
            wait = TimeSpan.FromSeconds((1 - _tokens) / _refillPerSecond);
            return false;
        }
    }
}
