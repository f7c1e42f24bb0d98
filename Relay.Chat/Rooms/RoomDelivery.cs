using Relay.Chat.Contracts;

namespace Relay.Chat.Rooms;

/// <summary>What a node sends its own viewers after applying a <see cref="RoomEvent"/> (<see cref="LiveRoom.Apply"/>): the
/// event's wire name and the call that sends its payload.</summary>
internal sealed record RoomDelivery(string EventName, Func<ILiveClient, Task> Send);
