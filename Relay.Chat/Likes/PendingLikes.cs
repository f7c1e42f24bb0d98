namespace Relay.Chat.Likes;

/// <summary>Taps of one room on this node not yet added to the counter, and whether its flush loop runs.</summary>
internal sealed class PendingLikes
{
    private readonly Lock _gate = new();
    private long _taps;
    private bool _running;

    /// <summary>True when the caller must start the flush loop (none runs).</summary>
    public bool Add(long taps)
    {
        lock (_gate)
        {
            _taps += taps;
            if (_running) return false;
            return _running = true;
        }
    }

    public long Take()
    {
        lock (_gate)
        {
            var taps = _taps;
            _taps = 0;
            return taps;
        }
    }

    /// <summary>Ends the loop unless taps came in meanwhile.</summary>
    public bool TryStop()
    {
        lock (_gate)
        {
            if (_taps > 0) return false;
            _running = false;
            return true;
        }
    }

    public void Stop()
    {
        lock (_gate) _running = false;
    }
}
