using Microsoft.Extensions.DependencyInjection.Extensions;
using Relay.Chat.Ledger;
using Relay.Chat.Rooms;
using Relay.Server.Cluster.Rooms;

namespace Relay.Server.Cluster;

/// <summary>The live room across nodes (docs/scale-out/rooms.md): the Redis room bus in place of the in-process one. The
/// display-id secret the nodes share is the catalog's (PostgreSQL, ClusterCatalogRegistration): durable, unlike Redis.</summary>
internal static class ClusterRoomRegistration
{
    public static IServiceCollection AddClusterRooms(this IServiceCollection services)
    {
        services.Replace(ServiceDescriptor.Singleton<IRoomBus, RedisRoomBus>());
        services.Replace(ServiceDescriptor.Singleton<ILikeCounter, RedisLikeCounter>());
        return services;
    }
}
