using Microsoft.AspNetCore.DataProtection.KeyManagement;
using Microsoft.Extensions.Options;
using Relay.Chat.Identity;
using Relay.Common.Storage;
using Relay.Server.Channels;
using Relay.Server.Configuration;
using Relay.Server.Store.Postgres;

namespace Relay.Server.Cluster;

/// <summary>
/// The channel catalog and identity of a node of a cluster: channels in PostgreSQL (registered before
/// <c>AddRelayServer</c>'s SQLite store, which then steps aside), their changes heard from the other nodes, the Data
/// Protection key ring in PostgreSQL (stored secrets and guest tokens read on every node), the start lock around
/// seeding, the live room's display-id secret shared, and an admin token that must be configured.
/// </summary>
public static class ClusterCatalogRegistration
{
    public static IServiceCollection AddClusterCatalog(this IServiceCollection services)
    {
        services.AddSingleton<PostgresChannelStore>();
        services.AddSingleton<IChannelStore>(sp => sp.GetRequiredService<PostgresChannelStore>());
        services.AddSingleton<ICatalogStartLock, PostgresCatalogStartLock>();
        services.AddHostedService<ChannelChangeListener>();
        // After PersistKeysToFileSystem's configuration (AddRelayServer registers it first), so this repository wins.
        services.AddOptions<KeyManagementOptions>().Configure<PostgresDatabase>((options, db) => options.XmlRepository = new PostgresXmlRepository(db));
        services.AddSingleton<PostgresDisplayIdSecret>();
        services.AddSingleton<IDisplayIdSecret>(sp => sp.GetRequiredService<PostgresDisplayIdSecret>());
        services.AddSingleton<IValidateOptions<AuthOptions>, ClusterAdminTokenValidator>();
        return services;
    }
}
