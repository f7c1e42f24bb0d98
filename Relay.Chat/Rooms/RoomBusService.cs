using Microsoft.Extensions.Hosting;

namespace Relay.Chat.Rooms;

/// <summary>Connects the room bus to this node's rooms at start, before the hub takes calls.</summary>
internal sealed class RoomBusService(IRoomBus bus, RoomEvents events) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken) => bus.StartAsync(events.ReceiveAsync, cancellationToken);

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
