using Microsoft.AspNetCore.DataProtection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using Prometheus;
using Relay.Common.Files;
using Relay.Common.Json;
using Relay.Common.Storage;
using Relay.Ingest.Streams;
using Relay.Server.Access;
using Relay.Server.Apis;
using Relay.Server.Apis.Docs;
using Relay.Server.Channels;
using Relay.Server.Configuration;
using Relay.Server.Limits;
using Relay.Chat;
using Relay.Chat.Channels;
using Relay.Ingest;
using Relay.Ingest.Consumers;
using Relay.Ingest.Consumers.HttpFlv;
using Relay.Ingest.Egress;
using Relay.Ingest.Publishing;
using Relay.Server.Observability;
using Relay.Server.Pages;
using Relay.Server.Adapters;
using Relay.Server.Store;
using Relay.Server.Cluster;
using Relay.Server.Shows;

namespace Relay.Server.Hosting;

public static class RelayServerExtensions
{
    /// <summary>The Data Protection key ring's folder under DataDir.</summary>
    public const string KeyRingDirectory = "keys";

    /// <summary>The host's own services: options, store, channels, auth, health.</summary>
    public static IServiceCollection AddRelayServer(this IServiceCollection services, IConfiguration config)
    {
        services.AddOptions<RelayOptions>().BindConfiguration(RelayOptions.Section).ValidateOnStart();
        services.AddSingleton<IValidateOptions<RelayOptions>, RelayOptionsValidator>();
        services.AddOptions<AuthOptions>().BindConfiguration(AuthOptions.Section).ValidateOnStart();
        services.AddSingleton<IValidateOptions<AuthOptions>, AuthOptionsValidator>();
        services.AddOptions<PagesOptions>().BindConfiguration(PagesOptions.Section).ValidateOnStart();
        services.AddSingleton<IValidateOptions<PagesOptions>, PagesOptionsValidator>();

        var dataDir = DataDirectory.Resolve(config[DataDirectory.ConfigurationKey]);
        services.AddDataProtection()
            .SetApplicationName("Relay")
            .PersistKeysToFileSystem(new DirectoryInfo(Path.Combine(dataDir, KeyRingDirectory)));

        services.AddSingleton(TimeProvider.System);
        services.AddRelayCluster(config);
        services.AddSingleton(new SqliteDatabase(Path.Combine(dataDir, SqliteDatabase.FileName)));
        services.TryAddSingleton<IChannelStore, SqliteChannelStore>(); // a node of a cluster registered PostgreSQL's
        services.AddSingleton<ChannelService>();
        services.AddSingleton<AdminToken>();
        services.AddSingleton<PublicUrls>();
        services.AddSingleton<RelayBootstrap>();

        // The media plane: the gateway asks the channel store about keys; live/offline reaches the room.
        services.AddSingleton<IPublishAuthorizer, ChannelPublishAuthorizer>();
        services.AddSingleton<ILiveChannelObserver, LiveStateBridge>();
        services.AddSingleton<IChannelObserver, IngestChannelObserver>();
        services.AddSingleton<IChannelRehearsal, CatalogRehearsal>();
        services.AddSingleton<IPreviewAccess, HostPreviewAccess>();
        services.AddSingleton<IChannelObserver, EgressChannelObserver>();
        services.AddRelayIngest(config);
        services.AddRelayEgress(config);
        services.AddHostedService<EgressDesiredStateLoader>();
        services.TryAddSingleton<IChannelRuntime, MediaChannelRuntime>();

        // The live room (hub, orders) sees channels through a small directory the host adapts.
        services.AddRelayChat(config);
        services.AddSingleton<ChannelDirectoryForRooms>();
        services.AddSingleton<IChannelDirectory>(sp => sp.GetRequiredService<ChannelDirectoryForRooms>());
        services.AddSingleton<IHostCredentials>(sp => sp.GetRequiredService<ChannelDirectoryForRooms>());
        services.AddSingleton<IChannelObserver, RoomChannelObserver>();
        services.AddSingleton<IShowTimeline, RecordingShowTimeline>();
        services.AddSingleton<IChannelMediaTime, HubStreamClock>();
        services.AddSingleton<IShowGate, PublicPublishShowGate>();
        services.AddRelayShows();
        services.AddSingleton<ILiveChannelObserver, ShowLiveObserver>();
        services.AddSingleton<IShowDestinations, EgressShowDestinations>();

        services.AddRelayLoadLimits();
        services.AddProblemDetails();
        // Source-generated only, in every build, so a JIT test run fails on a type NativeAOT could not serialize.
        services.ConfigureHttpJsonOptions(json => SourceGeneratedJson.Use(json.SerializerOptions, ApiJsonContext.Default));
        services.AddRelayOpenApi();
        services.AddHealthChecks()
            .AddCheck<StoreHealthCheck>("store", tags: ["ready"])
            .AddCheck<FfmpegHealthCheck>("ffmpeg", tags: ["ready"]);
        return services;
    }

    public static WebApplication MapRelayServer(this WebApplication app)
    {
        app.UseExceptionHandler();
        app.UseStatusCodePages();
        app.UseHttpMetrics();
        app.UseRelayLoadLimits();
        app.UseRelayStaticFiles();
        // The REST API's bearer scheme and policies (Relay.Chat.Access, registered by AddRelayChat): after the load
        // limits, so a flood of bad tokens is capped like any other request, and only where an endpoint asks for a policy.
        app.UseAuthentication();
        app.UseAuthorization();
        app.MapRelayHealth();
        ContractMetrics.Publish();
        app.MapMetrics("/metrics").RequireMetricsToken();
        app.MapChannelsApi();
        app.MapDestinationsApi();
        app.MapLineupApi();
        app.MapPlatformsApi();
        app.MapRecordingsApi();
        app.MapShowsApi();
        app.MapNodesApi();
        app.MapRelayChat();
        app.MapRelayOpenApi();
        app.MapRelayPlayback();
        app.MapClusterMedia();
        app.MapRelayPages();
        return app;
    }
}
