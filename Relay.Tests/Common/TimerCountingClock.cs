using Microsoft.Extensions.Time.Testing;

namespace Relay.Tests.Common;

/// <summary>A fake clock that also counts the timers asked of it, for code that must schedule nothing.</summary>
public sealed class TimerCountingClock() : FakeTimeProvider(new DateTimeOffset(2026, 12, 7, 3, 0, 0, TimeSpan.Zero))
{
    private int _timers;

    public int TimersCreated => Volatile.Read(ref _timers);

    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
    {
        Interlocked.Increment(ref _timers);
        return base.CreateTimer(callback, state, dueTime, period);
    }
}
