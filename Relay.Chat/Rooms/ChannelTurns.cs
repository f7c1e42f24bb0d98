namespace Relay.Chat.Rooms;

/// <summary>
/// Serializes work per channel (one turn at a time, in arrival order) with a fixed set of striped gates, so memory
/// stays bounded whatever channel ids clients send. Two channels may share a stripe; that only makes one wait for the
/// other's short turn.
/// </summary>
internal sealed class ChannelTurns
{
    private const int Stripes = 64;

    private readonly SemaphoreSlim[] _gates = [.. Enumerable.Range(0, Stripes).Select(_ => new SemaphoreSlim(1, 1))];

    public async Task<Turn> EnterAsync(string channelId, CancellationToken cancellationToken)
    {
        var gate = _gates[(StringComparer.Ordinal.GetHashCode(channelId) & int.MaxValue) % Stripes];
        await gate.WaitAsync(cancellationToken);
        return new Turn(gate);
    }

    public readonly struct Turn(SemaphoreSlim gate) : IDisposable
    {
        public void Dispose() => gate.Release();
    }
}
