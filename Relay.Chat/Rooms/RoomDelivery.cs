using Relay.Chat.Contracts;

namespace Relay.Chat.Rooms;

/// <summary>What a node sends its own viewers after applying a <see cref="RoomEvent"/> (<see cref="LiveRoom.Apply"/>): the
/// event's wire name, the call that sends its payload, and the same event as <c>Resume</c> replays it.</summary>
internal sealed record RoomDelivery(string EventName, Func<ILiveClient, Task> Send, RoomEventView Replay);
