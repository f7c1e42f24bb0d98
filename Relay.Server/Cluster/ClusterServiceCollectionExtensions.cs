using Microsoft.Extensions.Options;
using Relay.Common.Storage;
using StackExchange.Redis;

namespace Relay.Server.Cluster;

/// <summary>
/// Makes this process a node of a cluster when <c>Relay:Postgres</c> and <c>Relay:Redis</c> are set: the shared
/// engines, the SignalR Redis backplane and the node's identity. On the embedded default it only registers the
/// options and a <see cref="ClusterNode"/> that says "not clustered".
/// </summary>
public static class ClusterServiceCollectionExtensions
{
    /// <summary>The prefix of every Redis channel the SignalR backplane uses, so one Redis can serve other apps too.</summary>
    public const string BackplanePrefix = "relay-hub";

    public static IServiceCollection AddRelayCluster(this IServiceCollection services, IConfiguration config)
    {
        services.AddOptions<ClusterOptions>().BindConfiguration("Relay").ValidateOnStart();
        services.AddSingleton<IValidateOptions<ClusterOptions>, ClusterOptionsValidator>();

        var options = new ClusterOptions();
        config.GetSection("Relay").Bind(options);
        var clustered = options.Enabled;
        services.AddSingleton(new ClusterNode(
            string.IsNullOrWhiteSpace(options.Node.Id) ? System.Net.Dns.GetHostName() : options.Node.Id,
            string.IsNullOrWhiteSpace(options.Node.InternalUrl) ? null : options.Node.InternalUrl.TrimEnd('/'),
            TimeSpan.FromSeconds(Math.Clamp(options.Node.LeaseSeconds, ClusterOptionsValidator.MinLeaseSeconds, ClusterOptionsValidator.MaxLeaseSeconds)),
            clustered));
        services.AddClusterNodes(options);
        if (!clustered || new ClusterOptionsValidator().Validate(null, options).Failed)
        {
            // Invalid settings are reported by ValidateOnStart before anything connects.
            return services;
        }

        services.AddSingleton(_ => new PostgresDatabase(options.Postgres.ConnectionString!));
        services.AddSingleton<IConnectionMultiplexer>(_ => ConnectionMultiplexer.Connect(RedisConfiguration(options.Redis.Configuration!)));
        services.AddSignalR().AddStackExchangeRedis(redis =>
        {
            redis.Configuration = RedisConfiguration(options.Redis.Configuration!);
            redis.Configuration.ChannelPrefix = RedisChannel.Literal(BackplanePrefix);
        });
        services.AddClusterCatalog();
        services.AddClusterCommerce();
        services.AddClusterMedia();
        services.AddClusterRooms();
        services.AddSingleton<Relay.Server.Shows.IShowStore, Relay.Server.Shows.Postgres.PostgresShowStore>();
        return services;
    }

    /// <summary>
    /// Never give up at start (a Redis that is down makes the node unready, not dead) and reconnect forever after.
    /// </summary>
    public static ConfigurationOptions RedisConfiguration(string configuration)
    {
        var parsed = ConfigurationOptions.Parse(configuration);
        parsed.AbortOnConnectFail = false;
        parsed.ClientName ??= "relay";
        return parsed;
    }
}
