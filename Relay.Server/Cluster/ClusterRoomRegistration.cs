using Microsoft.Extensions.DependencyInjection.Extensions;
using Relay.Chat.Identity;
using Relay.Chat.Rooms;
using Relay.Server.Cluster.Rooms;

namespace Relay.Server.Cluster;

/// <summary>The live room across nodes (docs/scale-out/rooms.md): the Redis room bus and the shared display-id secret in
/// place of the embedded in-process ones.</summary>
internal static class ClusterRoomRegistration
{
    public static IServiceCollection AddClusterRooms(this IServiceCollection services)
    {
        services.Replace(ServiceDescriptor.Singleton<IRoomBus, RedisRoomBus>());
        services.Replace(ServiceDescriptor.Singleton<IDisplayIdSecret, RedisDisplayIdSecret>());
        return services;
    }
}
