namespace Relay.Ingest.Publishing;

/// <summary>
/// Publish starts per channel in a sliding minute. Each start costs an HLS packager process, a recording file and a
/// reconnect of every destination, so a stream-key holder cycling publish and unpublish is refused past the limit.
/// Thread-safe; memory is one small queue per channel that started recently.
/// </summary>
internal sealed class PublishStartRate(int maxPerMinute, TimeProvider time)
{
    private static readonly TimeSpan Window = TimeSpan.FromMinutes(1);

    private readonly Lock _lock = new();
    private readonly Dictionary<string, Queue<DateTimeOffset>> _starts = new(StringComparer.Ordinal);

    public bool MayStart(string channelId)
    {
        lock (_lock)
        {
            return !_starts.TryGetValue(channelId, out var starts) || Trim(starts, time.GetUtcNow()) < maxPerMinute;
        }
    }

    public void Started(string channelId)
    {
        var now = time.GetUtcNow();
        lock (_lock)
        {
            if (!_starts.TryGetValue(channelId, out var starts))
            {
                ForgetIdle(now);
                starts = new Queue<DateTimeOffset>();
                _starts[channelId] = starts;
            }

            Trim(starts, now);
            starts.Enqueue(now);
        }
    }

    private static int Trim(Queue<DateTimeOffset> starts, DateTimeOffset now)
    {
        while (starts.Count > 0 && now - starts.Peek() >= Window)
        {
            starts.Dequeue();
        }

        return starts.Count;
    }

    /// <summary>Channels with no start in the last minute are dropped, so deleted or idle channels cost nothing.</summary>
    private void ForgetIdle(DateTimeOffset now)
    {
        foreach (var (channelId, starts) in _starts.ToList())
        {
            if (Trim(starts, now) == 0)
            {
                _starts.Remove(channelId);
            }
        }
    }
}
