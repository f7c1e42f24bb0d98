namespace Relay.Chat.Rooms;

/// <summary>
/// The seam that makes a live room one room across nodes. Every change of a room's shared state and every event its
/// viewers see is published here, not applied or sent by the caller: the bus gives it the room's next <c>seq</c> and hands
/// it to every node's receiver (this node's included), in seq order per room, and each node applies it to its own
/// <see cref="LiveRoom"/> and delivers it to its own connections. The embedded default is <see cref="InProcessRoomBus"/>
/// (a counter and a call); a cluster registers a shared one (Relay.Server: Redis, INCR and PUBLISH in one script).
/// </summary>
public interface IRoomBus
{
    /// <summary>This node's name on the bus: the origin of what it publishes, the key of its viewer count. Empty on the
    /// embedded default.</summary>
    string NodeId { get; }

    /// <summary>Starts handing every room event (this node's and the others') to <paramref name="receiver"/>, one at a time,
    /// in the order of their seq per room.</summary>
    Task StartAsync(Func<RoomEvent, Task> receiver, CancellationToken cancellationToken);

    /// <summary>Assigns the room's next seq (none for a <see cref="RoomEvent.Quiet"/> event), records what a late joiner on
    /// another node needs, and delivers the event to every node. Completes when the event is handed on, not when every
    /// node applied it. A <see cref="RoomEventKind.Viewers"/> event carries this node's count in
    /// <see cref="RoomEvent.LocalViewers"/>; the bus fills in the total over all nodes.</summary>
    Task PublishAsync(RoomEvent roomEvent, CancellationToken cancellationToken);

    /// <summary>What the room's shared state is now (null when nothing is shared: the embedded default), read in one step
    /// with its seq, so events with a higher seq are exactly those not in it.</summary>
    Task<RoomState?> LoadAsync(string channelId, CancellationToken cancellationToken);
}
