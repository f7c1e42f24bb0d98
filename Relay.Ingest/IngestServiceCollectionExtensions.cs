using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using Relay.Common.Files;
using Relay.Ingest.Channels;
using Relay.Ingest.Configuration;
using Relay.Ingest.Ffmpeg;
using Relay.Ingest.Gateway;
using Relay.Ingest.Hls;
using Relay.Ingest.Playback;
using Relay.Ingest.Recording;

namespace Relay.Ingest;

public static class IngestServiceCollectionExtensions
{
    /// <summary>
    /// Adds the RTMP ingest: options from <c>Relay:Ingest</c> (validated at start), the live channel registry,
    /// the ffmpeg process registry and the RTMP gateway (hosted services). The caller must register an
    /// <see cref="IPublishAuthorizer"/>; <see cref="ILiveChannelObserver"/> implementations are optional.
    /// </summary>
    public static IServiceCollection AddRelayIngest(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        services.AddOptions<IngestOptions>()
            .Bind(configuration.GetSection(IngestOptions.SectionName))
            .PostConfigure(o => o.DataDir = DataDirectory.Resolve(configuration[DataDirectory.ConfigurationKey]))
            .ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<IngestOptions>, IngestOptionsValidator>());
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<LiveChannelRegistry>();
        services.TryAddSingleton<FfmpegReadinessProbe>();

        // Registration order is start order (reap leftovers before accepting) and reverse stop order
        // (the gateway ends its connections before the registry stops whatever ffmpeg is left).
        services.TryAddSingleton<FfmpegProcessRegistry>();
        services.AddHostedService(sp => sp.GetRequiredService<FfmpegProcessRegistry>());
        services.TryAddSingleton<RtmpGateway>();
        services.AddHostedService(sp => sp.GetRequiredService<RtmpGateway>());
        AddPlaybackConsumers(services, configuration);
        return services;
    }

    /// <summary>HLS packager and recorder: live-channel observers that stop before the gateway (reverse order).</summary>
    private static void AddPlaybackConsumers(IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<HlsOptions>().Bind(configuration.GetSection(HlsOptions.SectionName)).ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<HlsOptions>, HlsOptionsValidator>());
        services.AddOptions<PlaybackOptions>().Bind(configuration.GetSection(PlaybackOptions.SectionName)).ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<PlaybackOptions>, PlaybackOptionsValidator>());
        services.AddOptions<RecordingOptions>().Bind(configuration.GetSection(RecordingOptions.SectionName)).ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<RecordingOptions>, RecordingOptionsValidator>());
        services.TryAddSingleton<HlsService>();
        services.AddSingleton<ILiveChannelObserver>(sp => sp.GetRequiredService<HlsService>());
        services.AddHostedService(sp => sp.GetRequiredService<HlsService>());
        services.TryAddSingleton<RecordingService>();
        services.AddSingleton<ILiveChannelObserver>(sp => sp.GetRequiredService<RecordingService>());
        services.AddHostedService(sp => sp.GetRequiredService<RecordingService>());
        services.AddHostedService<RecordingHousekeeping>();
    }
}
