using Microsoft.AspNetCore.SignalR;
using Microsoft.Extensions.Logging;
using Relay.Chat.Contracts;
using Relay.Chat.Diagnostics;

namespace Relay.Chat.Rooms;

/// <summary>Group naming and failure-isolated sends: a broadcast that fails is logged, never thrown into a caller's path.
/// It is handed the hub's clients and groups (the composition root takes them from the hub's context), so rooms do
/// not depend on the hub that depends on them. A room's group holds this node's connections only (named with
/// <paramref name="nodeId"/> when there are several nodes): room events reach the other nodes through the room bus, each
/// node sends them to its own group, so no event is delivered twice through SignalR's backplane.</summary>
internal sealed class RoomBroadcaster(IHubClients clients, IGroupManager groups, ILogger<RoomBroadcaster> logger, string nodeId = "")
{
    public string RoomGroup(string channelId) => nodeId.Length == 0 ? "room:" + channelId : "room:" + channelId + "@" + nodeId;

    public static string BuyerGroup(string channelId, string buyerId) => "buyer:" + channelId + ":" + buyerId;

    public IGroupManager Groups => groups;

    /// <summary>To this node's connections of the room (see the class). Services publish room events on the room bus;
    /// only <see cref="RoomEvents"/> sends them.</summary>
    public Task ToRoomAsync(string channelId, string eventName, Func<ILiveClient, Task> send) =>
        SafeAsync(channelId, eventName, () => send(new LiveClientProxy(clients.Group(RoomGroup(channelId)))));

    public Task ToBuyerAsync(string channelId, string buyerId, string eventName, Func<ILiveClient, Task> send) =>
        SafeAsync(channelId, eventName, () => send(new LiveClientProxy(clients.Group(BuyerGroup(channelId, buyerId)))));

    private async Task SafeAsync(string channelId, string eventName, Func<Task> send)
    {
        try
        {
            await send();
        }
        catch (Exception ex)
        {
            Log.BroadcastFailed(logger, eventName, channelId, ex);
        }
    }
}
