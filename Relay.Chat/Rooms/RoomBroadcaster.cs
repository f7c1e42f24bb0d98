using Microsoft.AspNetCore.SignalR;
using Microsoft.Extensions.Logging;
using Relay.Chat.Diagnostics;
using Relay.Chat.Hubs;

namespace Relay.Chat.Rooms;

/// <summary>Group naming and failure-isolated sends: a broadcast that fails is logged, never thrown into a caller's path.</summary>
internal sealed class RoomBroadcaster(IHubContext<LiveHub, ILiveClient> hub, ILogger<RoomBroadcaster> logger)
{
    public static string RoomGroup(string channelId) => "room:" + channelId;

    public static string BuyerGroup(string channelId, string buyerId) => "buyer:" + channelId + ":" + buyerId;

    public IGroupManager Groups => hub.Groups;

    public Task ToRoomAsync(string channelId, string eventName, Func<ILiveClient, Task> send) =>
        SafeAsync(channelId, eventName, () => send(hub.Clients.Group(RoomGroup(channelId))));

    public Task ToBuyerAsync(string channelId, string buyerId, string eventName, Func<ILiveClient, Task> send) =>
        SafeAsync(channelId, eventName, () => send(hub.Clients.Group(BuyerGroup(channelId, buyerId))));

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
