using Microsoft.Extensions.DependencyInjection.Extensions;
using Relay.Chat.Access;
using Relay.Ingest.Consumers.HttpFlv;
using Relay.Ingest.Mirroring;
using Relay.Ingest.Publishing;
using Relay.Server.Adapters;
using Relay.Server.Channels;
using Relay.Server.Cluster.Media;

namespace Relay.Server.Cluster;

/// <summary>
/// Media across nodes (docs/scale-out/media.md): channel ownership by lease, mirrors of the owner's stream for this
/// node's viewers, and the live state of the other nodes' channels. Registered before the media plane, whose
/// single-node defaults are TryAdd.
/// </summary>
public static class ClusterMediaRegistration
{
    public static IServiceCollection AddClusterMedia(this IServiceCollection services)
    {
        services.TryAddSingleton<IChannelLeaseStore, RedisChannelLeaseStore>();
        services.AddSingleton<ClusterChannelOwnership>();
        services.AddSingleton<IChannelOwnership>(sp => sp.GetRequiredService<ClusterChannelOwnership>());
        services.AddSingleton<RemoteLiveChannels>();
        services.AddHostedService(sp => sp.GetRequiredService<RemoteLiveChannels>());
        services.AddSingleton<IChannelOrigin, ClusterChannelOrigin>();
        services.AddSingleton<ChannelMirrors>();
        services.AddSingleton<MediaChannelRuntime>();
        services.AddSingleton<IChannelRuntime, ClusterMediaChannelRuntime>();
        return services;
    }

    /// <summary>The route the other nodes pull this node's channels from (admin token), on a node of a cluster only.</summary>
    public static WebApplication MapClusterMedia(this WebApplication app)
    {
        if (app.Services.GetRequiredService<ClusterNode>().Clustered)
        {
            app.MapRelayMirrorOrigin().RequireAuthorization(ApiPolicies.Admin);
        }

        return app;
    }
}
