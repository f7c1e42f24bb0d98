using Relay.Chat.Crm;
using Relay.Chat.Ledger;
using Relay.Chat.Orders;
using Relay.Chat.Orders.BuiltIn;
using Relay.Chat.Social;
using Relay.Chat.Storage.Postgres;
using Relay.Common.Storage;

namespace Relay.Server.Cluster;

/// <summary>
/// A node of a cluster keeps the live room's durable state in the shared PostgreSQL: stock ledger and flash sales,
/// the order outbox (claimed with leases naming this node), the order list, dead letters and the built-in order API's
/// table. Registered before <c>AddRelayChat</c>, whose embedded SQLite stores are <c>TryAdd</c>ed and so stay out.
/// </summary>
public static class ClusterCommerceRegistration
{
    public static IServiceCollection AddClusterCommerce(this IServiceCollection services)
    {
        services.AddSingleton(sp => new PostgresChatDatabase(sp.GetRequiredService<PostgresDatabase>(), sp.GetRequiredService<ILogger<PostgresChatDatabase>>()));
        services.AddHostedService<PostgresChatStartup>();
        services.AddSingleton(sp => new PostgresCommerceStore(sp.GetRequiredService<PostgresChatDatabase>(), sp.GetRequiredService<ClusterNode>().Id));
        services.AddSingleton<IStockLedger>(sp => sp.GetRequiredService<PostgresCommerceStore>());
        services.AddSingleton<ICouponLedger>(sp => sp.GetRequiredService<PostgresCommerceStore>());
        services.AddSingleton<IOrderOutbox>(sp => sp.GetRequiredService<PostgresCommerceStore>());
        services.AddSingleton<IOrderStore>(sp => sp.GetRequiredService<PostgresCommerceStore>());
        services.AddSingleton<IChannelCommerceArchive>(sp => sp.GetRequiredService<PostgresCommerceStore>());
        services.AddSingleton<IDrawStore>(sp => sp.GetRequiredService<PostgresCommerceStore>());
        services.AddSingleton<Relay.Chat.Referrals.IReferralStore>(sp => new PostgresReferralStore(sp.GetRequiredService<PostgresChatDatabase>()));
        services.AddSingleton<IBuiltInOrderStore, PostgresBuiltInOrderStore>();
        services.AddSingleton<IDeadLetters, PostgresDeadLetters>();
        services.AddSingleton(sp => new PostgresSocialStore(sp.GetRequiredService<PostgresChatDatabase>(), sp.GetRequiredService<ClusterNode>().Id));
        services.AddSingleton<IFollowers>(sp => sp.GetRequiredService<PostgresSocialStore>());
        services.AddSingleton<ICrmOutbox>(sp => sp.GetRequiredService<PostgresSocialStore>());
        return services;
    }
}
