using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Relay.Common.Files;
using Relay.Ingest.Streams;
using Relay.Ingest.Configuration;
using Relay.Ingest.Consumers.Hls;
using Relay.Ingest.Consumers.HttpFlv;
using Relay.Ingest.Consumers.Recording;
using Relay.Ingest.Ffmpeg;
using Relay.Ingest.Publishing;
using Relay.Ingest.Slate;
using Relay.Ingest.Srt;

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
            // The ffmpeg ingest engine is gone (docs/ingest.md, "Why one engine"): a config that still picks an engine
            // would silently get the native one, so it stops startup with one line instead.
            .Validate(_ => configuration[$"{IngestOptions.SectionName}:Engine"] is null, IngestOptions.EngineRemoved)
            .ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<IngestOptions>, IngestOptionsValidator>());
        services.TryAddSingleton(TimeProvider.System);
        // The observers (HLS, recording, egress, the server's adapters) mostly take the registry themselves: resolved
        // lazily, on the first live or offline change, so that the cycle is one explicit Lazy and not a service locator.
        services.TryAddSingleton(sp => new LiveChannelRegistry(
            new Lazy<IReadOnlyList<ILiveChannelObserver>>(() => [.. sp.GetServices<ILiveChannelObserver>()]),
            sp.GetRequiredService<IOptions<IngestOptions>>(),
            sp.GetRequiredService<TimeProvider>(),
            sp.GetRequiredService<ILogger<LiveChannelRegistry>>(),
            sp.GetService<IChannelRehearsal>(),
            sp.GetService<ISlateSource>()));
        services.TryAddSingleton<SlateImages>();
        services.TryAddSingleton<SlateLibrary>();
        services.TryAddSingleton<ISlateSource>(sp => sp.GetRequiredService<SlateLibrary>());
        services.TryAddSingleton<FfmpegReadinessProbe>();

        // Registration order is start order (reap leftovers before accepting) and reverse stop order
        // (the gateway ends its connections before the registry stops whatever ffmpeg is left).
        services.TryAddSingleton<FfmpegProcessRegistry>();
        services.AddHostedService(sp => sp.GetRequiredService<FfmpegProcessRegistry>());
        // One process owns every channel; a cluster registers its lease-based ownership first.
        services.TryAddSingleton<IChannelOwnership, SingleNodeOwnership>();
        services.TryAddSingleton<RtmpListener>();
        services.AddHostedService(sp => sp.GetRequiredService<RtmpListener>());
        // SRT beside RTMP, with the RTMP listener's publish gate and limits (Ingest:SrtPort 0 = off).
        services.TryAddSingleton<SrtListener>();
        services.AddHostedService(sp => sp.GetRequiredService<SrtListener>());
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
        services.TryAddSingleton<LowLatencyHlsService>();
        services.AddSingleton<ILiveChannelObserver>(sp => sp.GetRequiredService<LowLatencyHlsService>());
        services.AddHostedService(sp => sp.GetRequiredService<LowLatencyHlsService>());
        services.TryAddSingleton<RecordingService>();
        services.AddSingleton<ILiveChannelObserver>(sp => sp.GetRequiredService<RecordingService>());
        services.AddHostedService(sp => sp.GetRequiredService<RecordingService>());
        services.AddHostedService<RecordingHousekeeping>();
    }
}
