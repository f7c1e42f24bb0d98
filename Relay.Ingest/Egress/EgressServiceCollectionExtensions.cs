using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using Relay.Ingest.Egress.Source;
using Relay.Ingest.Streams;

namespace Relay.Ingest.Egress;

public static class EgressServiceCollectionExtensions
{
    /// <summary>
    /// Registers <see cref="EgressManager"/> (singleton) with <c>Relay:Egress</c> options validated at start. Call after
    /// AddRelayIngest: egress reads the ingest's LiveChannelRegistry hubs and starts ffmpeg through its registry.
    /// </summary>
    public static IServiceCollection AddRelayEgress(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<EgressOptions>().Bind(configuration.GetSection(EgressOptions.SectionName)).ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<EgressOptions>, EgressOptionsValidator>());
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<IHostResolver, SystemHostResolver>();
        services.TryAddSingleton<DestinationAddressPolicy>();
        services.TryAddSingleton<IEgressPusherFactory, EgressPusherFactory>();
        services.TryAddSingleton<IEgressSourceResolver, LiveChannelEgressSources>();
        services.TryAddSingleton<TranscodeBudget>();
        services.TryAddSingleton<EgressManager>();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<Relay.Ingest.Streams.ILiveChannelObserver, EgressLiveChannelObserver>());
        return services;
    }
}
