using System.Collections.Concurrent;

namespace Relay.Chat.Rooms;

/// <summary>
/// The embedded default's room bus: one process, nothing shared. A room's seq is a counter taken together with the start
/// of the event's delivery under one of a fixed set of striped gates, so this process's viewers get the events in seq
/// order whatever threads publish them. A room's first seq is the time of its first event in microseconds
/// (<see cref="SeqBase"/>), so seqs keep increasing across restarts of the process.
/// </summary>
internal sealed class InProcessRoomBus(TimeProvider time) : IRoomBus
{
    private const int Stripes = 64;

    private readonly Lock[] _gates = [.. Enumerable.Range(0, Stripes).Select(_ => new Lock())];
    private readonly ConcurrentDictionary<string, long> _seqs = new(StringComparer.Ordinal);
    private Func<RoomEvent, Task>? _receiver;

    public string NodeId => "";

    /// <summary>A room's seq before its first event: microseconds since 1970 (as the Redis bus does), so a room's seqs
    /// never go back when its counter starts over.</summary>
    internal static long SeqBase(DateTimeOffset now) => now.ToUnixTimeMilliseconds() * 1000;

    public Task StartAsync(Func<RoomEvent, Task> receiver, CancellationToken cancellationToken)
    {
        _receiver = receiver;
        return Task.CompletedTask;
    }

    public Task PublishAsync(RoomEvent roomEvent, CancellationToken cancellationToken)
    {
        roomEvent.Origin = NodeId;
        if (roomEvent.Kind == RoomEventKind.Viewers) roomEvent.Viewers = roomEvent.LocalViewers;
        if (_receiver is not { } receiver) return Task.CompletedTask;
        var gate = _gates[(StringComparer.Ordinal.GetHashCode(roomEvent.ChannelId) & int.MaxValue) % Stripes];
        lock (gate)
        {
            if (!roomEvent.Quiet)
                roomEvent.Seq = _seqs.AddOrUpdate(roomEvent.ChannelId, _ => SeqBase(time.GetUtcNow()) + 1, (_, seq) => seq + 1);
            // Started under the gate: the room applies it and its sends are queued on every connection before the next
            // event of this room can be, which is what keeps them in seq order.
            return receiver(roomEvent);
        }
    }

    public Task<RoomState?> LoadAsync(string channelId, CancellationToken cancellationToken) => Task.FromResult<RoomState?>(null);
}
