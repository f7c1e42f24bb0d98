using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using Relay.Chat.Channels;
using Relay.Common.Json;

namespace Relay.Server.Shows;

/// <summary>Shows and their reports: the recorder, its store (SQLite unless a cluster registered PostgreSQL's first) and the report.</summary>
public static class ShowsServiceCollectionExtensions
{
    public static IServiceCollection AddRelayShows(this IServiceCollection services)
    {
        services.AddOptions<ShowOptions>().BindConfiguration(ShowOptions.Section).ValidateOnStart();
        services.AddSingleton<IValidateOptions<ShowOptions>, ShowOptionsValidator>();
        services.TryAddSingleton<IShowStore, SqliteShowStore>();
        services.TryAddSingleton<IShowGate, EveryPublishIsPublic>();
        services.AddSingleton<ShowRecorder>();
        services.AddHostedService(sp => sp.GetRequiredService<ShowRecorder>());
        // After AddRelayChat, whose default keeps nothing: the last registration is the one the rooms get.
        services.AddSingleton<IRoomActivity>(sp => sp.GetRequiredService<ShowRecorder>());
        services.AddSingleton<ShowReportBuilder>();
        services.AddSingleton<Relay.Chat.Referrals.IReferralShows, ShowReferralKeys>();
        services.AddSingleton<Relay.Server.Channels.IChannelObserver, ShowsChannelObserver>();
        services.ConfigureHttpJsonOptions(json => SourceGeneratedJson.Use(json.SerializerOptions, ShowsJsonContext.Default));
        return services;
    }
}
