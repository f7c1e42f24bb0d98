using System.Collections.Concurrent;

namespace Relay.Server.Shows;

/// <summary>
/// What one channel's room said since the last time-line point: written from the hub's and the bus's paths (no lock
/// but the counters'), taken by the recorder at each point.
/// </summary>
internal sealed class RoomTally
{
    private readonly ConcurrentQueue<ShowMarker> _markers = new();
    private int _messages;
    private int _viewers;
    private int _peak;
    private long _likes;

    /// <summary>Set while this node records the channel's show: markers are kept only then.</summary>
    public volatile bool Recording;

    public int Viewers => Volatile.Read(ref _viewers);

    public void Message() => Interlocked.Increment(ref _messages);

    public void Liked(long likes) => Interlocked.Add(ref _likes, likes);

    /// <summary>Likes announced since the last take.</summary>
    public int TakeLikes() => (int)Math.Min(int.MaxValue, Interlocked.Exchange(ref _likes, 0));

    public void ViewersNow(int count)
    {
        Volatile.Write(ref _viewers, count);
        int peak;
        while (count > (peak = Volatile.Read(ref _peak)) && Interlocked.CompareExchange(ref _peak, count, peak) != peak)
        {
        }
    }

    public void Mark(ShowMarker marker)
    {
        if (Recording) _markers.Enqueue(marker);
    }

    /// <summary>Messages since the last take, the most viewers seen since then (at least the current count), and the current count.</summary>
    public (int Messages, int Peak, int Viewers) Take()
    {
        var viewers = Viewers;
        var peak = Interlocked.Exchange(ref _peak, viewers);
        return (Interlocked.Exchange(ref _messages, 0), Math.Max(peak, viewers), viewers);
    }

    public List<ShowMarker> TakeMarkers()
    {
        var list = new List<ShowMarker>();
        while (_markers.TryDequeue(out var m)) list.Add(m);
        return list;
    }

    /// <summary>A new show starts counting from now.</summary>
    public void Restart()
    {
        Take();
        TakeLikes();
        TakeMarkers();
    }
}
