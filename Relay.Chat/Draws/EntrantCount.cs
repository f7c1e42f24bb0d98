namespace Relay.Chat.Draws;

/// <summary>The highest entrant count of a room's draw not yet announced by this node, and whether its publisher runs.</summary>
internal sealed class EntrantCount
{
    private readonly Lock _gate = new();
    private (string DrawId, int Entrants)? _pending;
    private bool _running;

    /// <summary>True when the caller must start the publisher.</summary>
    public bool Offer(string drawId, int entrants)
    {
        lock (_gate)
        {
            if (_pending is not { } p || p.DrawId != drawId || p.Entrants < entrants) _pending = (drawId, entrants);
            if (_running) return false;
            return _running = true;
        }
    }

    /// <summary>The count to announce now; null ends the publisher (nothing new).</summary>
    public (string DrawId, int Entrants)? Take()
    {
        lock (_gate)
        {
            var p = _pending;
            _pending = null;
            if (p is null) _running = false;
            return p;
        }
    }
}
