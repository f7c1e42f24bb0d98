namespace Relay.Ingest.Egress;

/// <summary>
/// How many destinations may re-encode (a libx264 ffmpeg each, about a core apiece at 720p): per channel
/// (<see cref="EgressOptions.MaxTranscodesPerChannel"/>) and per node (<see cref="EgressOptions.MaxTranscodes"/>).
/// A slot belongs to a (channel, destination): restarting the same destination (an edit, a reconnect) keeps it.
/// Thread-safe.
/// </summary>
public sealed class TranscodeBudget
{
    private readonly Lock _lock = new();
    private readonly Dictionary<string, Dictionary<string, int>> _held = new(StringComparer.Ordinal);
    private int _total;

    /// <summary>Transcoding destinations holding a slot now (all channels).</summary>
    public int InUse
    {
        get { lock (_lock) return _total; }
    }

    /// <summary>A slot for the destination, or null with the reason it is refused (for its <c>lastError</c>).</summary>
    public IDisposable? TryAcquire(string channelId, string destinationId, EgressOptions options, out string? refusal)
    {
        refusal = null;
        lock (_lock)
        {
            if (!_held.TryGetValue(channelId, out var channel))
            {
                channel = new Dictionary<string, int>(StringComparer.Ordinal);
                _held[channelId] = channel;
            }

            if (channel.TryGetValue(destinationId, out var count))
            {
                channel[destinationId] = count + 1;
                return new Slot(this, channelId, destinationId);
            }

            if (channel.Count >= options.MaxTranscodesPerChannel)
            {
                refusal = $"transcode budget exceeded: this channel already re-encodes for {channel.Count} destinations (Relay:Egress:MaxTranscodesPerChannel = {options.MaxTranscodesPerChannel}); remove a profile or another transcoding destination";
            }
            else if (_total >= options.EffectiveMaxTranscodes)
            {
                refusal = $"transcode budget exceeded: this server already re-encodes for {_total} destinations (Relay:Egress:MaxTranscodes = {options.EffectiveMaxTranscodes})";
            }

            if (refusal is not null)
            {
                if (channel.Count == 0)
                {
                    _held.Remove(channelId);
                }

                return null;
            }

            channel[destinationId] = 1;
            _total++;
            return new Slot(this, channelId, destinationId);
        }
    }

    private void Release(string channelId, string destinationId)
    {
        lock (_lock)
        {
            if (!_held.TryGetValue(channelId, out var channel) || !channel.TryGetValue(destinationId, out var count))
            {
                return;
            }

            if (count > 1)
            {
                channel[destinationId] = count - 1;
                return;
            }

            channel.Remove(destinationId);
            _total--;
            if (channel.Count == 0)
            {
                _held.Remove(channelId);
            }
        }
    }

    private sealed class Slot(TranscodeBudget owner, string channelId, string destinationId) : IDisposable
    {
        private int _released;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _released, 1) == 0)
            {
                owner.Release(channelId, destinationId);
            }
        }
    }
}
