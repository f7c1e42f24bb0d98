using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http.Connections;
using Microsoft.AspNetCore.Routing;
using Microsoft.AspNetCore.SignalR;
using Microsoft.AspNetCore.SignalR.Protocol;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Relay.Chat.Channels;
using Relay.Chat.Configuration;
using Relay.Chat.Hubs;
using Relay.Chat.Identity;
using Relay.Chat.Orders;
using Relay.Chat.Purchases;
using Relay.Chat.Rooms;
using Relay.Chat.Storage;

namespace Relay.Chat;

public static class ChatServiceCollectionExtensions
{
    /// <summary>
    /// The live room: hub, moderation, stock, order outbox and dispatcher, built-in order API.
    /// The host must also register an <see cref="Channels.IChannelDirectory"/>.
    /// </summary>
    public static IServiceCollection AddRelayChat(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<ChatOptions>().Bind(configuration.GetSection(ChatOptions.Section)).ValidateOnStart();
        services.AddOptions<OrdersOptions>().Bind(configuration.GetSection(OrdersOptions.Section)).ValidateOnStart();
        services.AddOptions<CommerceOptions>().Bind(configuration.GetSection(CommerceOptions.Section)).ValidateOnStart();
        services.AddOptions<ViewerAuthOptions>().Bind(configuration.GetSection(ViewerAuthOptions.Section)).ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<ChatOptions>, ChatOptionsValidator>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<OrdersOptions>, OrdersOptionsValidator>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<CommerceOptions>, CommerceOptionsValidator>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<ViewerAuthOptions>, ViewerAuthOptionsValidator>());
        services.TryAddSingleton(TimeProvider.System);

        // Hub limits are needed before options validation runs; an invalid value is still reported by the validator.
        var chat = configuration.GetSection(ChatOptions.Section).Get<ChatOptions>() ?? new ChatOptions();
        services.AddSignalR()
            .AddJsonProtocol()
            .AddMessagePackProtocol()
            .AddHubOptions<LiveHub>(hub =>
            {
                hub.MaximumReceiveMessageSize = Math.Max(1024, chat.MaxReceiveMessageBytes);
                // One call at a time per connection: a client cannot pile up concurrent purchases to race itself.
                hub.MaximumParallelInvocationsPerClient = 1;
                hub.EnableDetailedErrors = false;
                hub.AddFilter<LiveHubFilter>();
            });
        services.TryAddSingleton<LiveHubFilter>();
        // SignalR logs every HubException as an Error ("Failed to invoke hub method"); here a HubException is a
        // routine refusal (rate limit, mute) and would flood the log. Real failures are still logged, once,
        // by LiveHubFilter (event 5000) before they are mapped to `internal_error`.
        services.AddLogging(logging =>
        {
            logging.AddFilter("Microsoft.AspNetCore.SignalR.Internal.DefaultHubDispatcher", LogLevel.Critical);
            // Browsers must put the hub's access_token (host key, admin token, viewer JWT) in the query string,
            // and ASP.NET Core's "Request starting ..." line prints the full query: keep that category quiet.
            logging.AddFilter("Microsoft.AspNetCore.Hosting.Diagnostics", LogLevel.Warning);
        });
        services.Replace(ServiceDescriptor.Singleton<IHubProtocolResolver, ReasonFirstProtocolResolver>());

        var connectionString = chat.ConnectionString
            ?? $"Data Source={Path.Combine(configuration["Relay:DataDir"] ?? "./data", "relay.db")}";
        services.TryAddSingleton(sp => new ChatDatabase(connectionString, sp.GetRequiredService<ILogger<ChatDatabase>>()));
        services.TryAddSingleton<SqliteCommerceStore>();
        services.TryAddSingleton<IStockLedger>(sp => sp.GetRequiredService<SqliteCommerceStore>());
        services.TryAddSingleton<IOrderOutbox>(sp => sp.GetRequiredService<SqliteCommerceStore>());
        services.TryAddSingleton<IOrderStore>(sp => sp.GetRequiredService<SqliteCommerceStore>());
        services.TryAddSingleton<IBuiltInOrderStore, SqliteBuiltInOrderStore>();

        services.TryAddSingleton<ParticipantResolver>();
        services.TryAddSingleton(_ => new DisplayIds());
        services.TryAddSingleton<LiveRoomRegistry>();
        services.TryAddSingleton<RoomBroadcaster>();
        services.TryAddSingleton<StockPublisher>();
        services.TryAddSingleton<ViewerCountPublisher>();
        services.TryAddSingleton<ChatService>();
        services.TryAddSingleton<MerchandisingService>();
        services.TryAddSingleton<IShowTimeline, NoShowTimeline>();
        services.TryAddSingleton<RoomService>();
        services.TryAddSingleton<ILiveRoomControl>(sp => sp.GetRequiredService<RoomService>());
        services.TryAddSingleton<PurchaseService>();
        services.TryAddSingleton<OrderDispatchSignal>();
        services.TryAddSingleton<OrderAnnouncer>();

        services.TryAddSingleton<OrderEndpoint>();
        services.TryAddSingleton<OrderApiClient>();
        services.AddHttpClient(OrderApiClient.HttpClientName, http => http.Timeout = Timeout.InfiniteTimeSpan)
            .ConfigurePrimaryHttpMessageHandler(sp =>
            {
                var handler = new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.FromMinutes(5) };
                // The built-in endpoint is this very process on loopback; when it only listens on https, its
                // certificate is for the public name, not 127.0.0.1. Nothing else is ever dialled in that mode.
                if (sp.GetRequiredService<OrderEndpoint>().IsBuiltIn)
                    handler.SslOptions.RemoteCertificateValidationCallback = (_, _, _, _) => true;
                return handler;
            });
        services.AddHostedService<OrderDispatcher>();
        return services;
    }

    /// <summary>Maps `/hubs/live`, `POST|GET /api/v1/orders` and `GET /api/v1/channels/{id}/orders`.</summary>
    public static IEndpointRouteBuilder MapRelayChat(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapHub<LiveHub>("/hubs/live", connection =>
        {
            connection.Transports = HttpTransportType.WebSockets | HttpTransportType.ServerSentEvents | HttpTransportType.LongPolling;
        });
        OrdersApi.Map(endpoints);
        return endpoints;
    }
}
