using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace Relay.Ingest.Egress;

public static class EgressServiceCollectionExtensions
{
    /// <summary>
    /// Registers <see cref="EgressManager"/> (singleton) with <c>Relay:Egress</c> options validated at start. The host
    /// must also register an <see cref="Source.IEgressSourceResolver"/> (the adapter over the ingest's StreamHub).
    /// </summary>
    public static IServiceCollection AddRelayEgress(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<EgressOptions>().Bind(configuration.GetSection(EgressOptions.SectionName)).ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<EgressOptions>, EgressOptionsValidator>());
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<IEgressPusherFactory, EgressPusherFactory>();
        services.TryAddSingleton<EgressManager>();
        return services;
    }
}
