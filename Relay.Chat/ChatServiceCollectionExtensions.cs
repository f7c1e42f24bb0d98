using System.Diagnostics.CodeAnalysis;
using Microsoft.AspNetCore.DataProtection;
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
using Relay.Chat.Access;
using Relay.Chat.Channels;
using Relay.Chat.Configuration;
using Relay.Chat.Coupons;
using Relay.Chat.Contracts;
using Relay.Chat.Contracts.Formatters;
using Relay.Chat.Crm;
using Relay.Chat.Draws;
using Relay.Chat.Hubs;
using Relay.Chat.Identity;
using Relay.Chat.Ledger;
using Relay.Chat.Likes;
using Relay.Chat.Merchandising;
using Relay.Chat.Moderation;
using Relay.Chat.Orders;
using Relay.Chat.Orders.BuiltIn;
using Relay.Chat.Purchases;
using Relay.Chat.Referrals;
using Relay.Chat.Rooms;
using Relay.Chat.Social;
using Relay.Chat.Storage;
using Relay.Common.Files;
using Relay.Common.Json;
using Relay.Common.Storage;

namespace Relay.Chat;

public static class ChatServiceCollectionExtensions
{
    /// <summary>
    /// The live room: hub, moderation, stock, order outbox and dispatcher, built-in order API.
    /// The host must also register an <see cref="Channels.IChannelDirectory"/> and an <see cref="Channels.IHostCredentials"/>.
    /// </summary>
    public static IServiceCollection AddRelayChat(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<ChatOptions>().Bind(configuration.GetSection(ChatOptions.Section)).ValidateOnStart();
        services.AddOptions<OrdersOptions>().Bind(configuration.GetSection(OrdersOptions.Section)).ValidateOnStart();
        services.AddOptions<CommerceOptions>().Bind(configuration.GetSection(CommerceOptions.Section)).ValidateOnStart();
        services.AddOptions<ViewerAuthOptions>().Bind(configuration.GetSection(ViewerAuthOptions.Section)).ValidateOnStart();
        services.AddOptions<GuestOptions>().Bind(configuration.GetSection(GuestOptions.Section)).ValidateOnStart();
        services.AddOptions<CrmOptions>().Bind(configuration.GetSection(CrmOptions.Section)).ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<CrmOptions>, CrmOptionsValidator>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<ChatOptions>, ChatOptionsValidator>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<ChatOptions>, ReservedDisplayNamesValidator>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<OrdersOptions>, OrdersOptionsValidator>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<CommerceOptions>, CommerceOptionsValidator>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<ViewerAuthOptions>, ViewerAuthOptionsValidator>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<GuestOptions>, GuestOptionsValidator>());
        services.TryAddSingleton(TimeProvider.System);
        services.AddRelayApiAuthentication();

        // Hub limits are needed before options validation runs; an invalid value is still reported by the validator.
        var chat = configuration.GetSection(ChatOptions.Section).Get<ChatOptions>() ?? new ChatOptions();
        services.AddSignalR()
            // Source-generated only (NativeAOT has no reflection-based serializer; see Relay.Common.Json.SourceGeneratedJson).
            .AddJsonProtocol(json => SourceGeneratedJson.Use(json.PayloadSerializerOptions, HubJsonContext.Default))
            .AddContractMessagePackProtocol()
            .AddHubOptions<LiveHub>(hub =>
            {
                hub.MaximumReceiveMessageSize = Math.Max(1024, chat.MaxReceiveMessageBytes);
                // One call at a time per connection: a client cannot pile up concurrent purchases to race itself.
                hub.MaximumParallelInvocationsPerClient = 1;
                hub.EnableDetailedErrors = false;
                hub.AddFilter<LiveHubFilter>();
            });
        services.TryAddSingleton<LiveHubFilter>();
        // The REST answers that go through the framework's JSON options (and the OpenAPI document's schemas).
        services.ConfigureHttpJsonOptions(json => SourceGeneratedJson.Use(json.SerializerOptions, OrdersJsonContext.Default, IdentityJsonContext.Default, CrmJsonContext.Default, SocialJsonContext.Default, DrawsJsonContext.Default));
        // The framework's problem+json writer, whose own source-generated context serializes ProblemDetails (the live room's
        // 400/404/409/429 answers) now that reflection is no fallback; a host that already added it is unchanged.
        services.AddProblemDetails();
        // SignalR logs every HubException as an Error ("Failed to invoke hub method"); here a HubException is a
        // routine refusal (rate limit, mute) and would flood the log. Real failures are still logged, once,
        // by LiveHubFilter (event 5000) before they are mapped to `internal_error`. The host keeps
        // Microsoft.AspNetCore.Hosting.Diagnostics quiet, since browsers put the hub's access_token in the query string.
        services.AddLogging(logging => logging.AddFilter("Microsoft.AspNetCore.SignalR.Internal.DefaultHubDispatcher", LogLevel.Critical));
        services.Replace(ServiceDescriptor.Singleton<IHubProtocolResolver, ReasonFirstProtocolResolver>());

        var connectionString = chat.ConnectionString
            ?? $"Data Source={Path.Combine(DataDirectory.Resolve(configuration[DataDirectory.ConfigurationKey]), SqliteDatabase.FileName)}";
        services.TryAddSingleton(sp => new ChatDatabase(connectionString, sp.GetRequiredService<ILogger<ChatDatabase>>()));
        services.TryAddSingleton<SqliteCommerceStore>();
        services.TryAddSingleton<IStockLedger>(sp => sp.GetRequiredService<SqliteCommerceStore>());
        services.TryAddSingleton<ICouponLedger>(sp => sp.GetRequiredService<SqliteCommerceStore>());
        services.TryAddSingleton<IOrderOutbox>(sp => sp.GetRequiredService<SqliteCommerceStore>());
        services.TryAddSingleton<IOrderStore>(sp => sp.GetRequiredService<SqliteCommerceStore>());
        services.TryAddSingleton<IChannelCommerceArchive>(sp => sp.GetRequiredService<SqliteCommerceStore>());
        services.TryAddSingleton<ILikeCounter>(sp => sp.GetRequiredService<SqliteCommerceStore>());
        services.TryAddSingleton<IDrawStore>(sp => sp.GetRequiredService<SqliteCommerceStore>());
        services.TryAddSingleton<IBuiltInOrderStore, SqliteBuiltInOrderStore>();
        services.TryAddSingleton<IDeadLetters, SqliteDeadLetters>();
        services.TryAddSingleton<SqliteSocialStore>();
        services.TryAddSingleton<IFollowers>(sp => sp.GetRequiredService<SqliteSocialStore>());
        services.TryAddSingleton<ICrmOutbox>(sp => sp.GetRequiredService<SqliteSocialStore>());

        // Guest tokens are protected with the host's Data Protection key ring (Relay.Server keeps it in {DataDir}/keys);
        // this only makes sure one exists when the live room is hosted alone.
        services.AddDataProtection();
        services.TryAddSingleton<GuestTokens>();
        services.TryAddSingleton<GuestMintLimiter>();
        services.TryAddSingleton<DisplayNames>();
        services.TryAddSingleton<ShopIdentityProvider>();
        services.TryAddSingleton<SqliteReferralStore>();
        services.TryAddSingleton<IReferralStore>(sp => sp.GetRequiredService<SqliteReferralStore>());
        services.TryAddSingleton<IReferralShows, OneShowPerChannel>();
        services.TryAddSingleton<ShareCodes>();
        services.TryAddSingleton<ParticipantResolver>();
        services.TryAddSingleton(sp => sp.GetService<IDisplayIdSecret>() is { } shared ? new DisplayIds(shared) : new DisplayIds());
        // The room bus: in-process on the embedded default; a cluster registers its shared one before this runs.
        services.TryAddSingleton<IRoomBus, InProcessRoomBus>();
        services.TryAddSingleton<LiveRoomRegistry>();
        services.TryAddSingleton(sp =>
        {
            var hub = sp.GetRequiredService<IHubContext<LiveHub>>();
            return new RoomBroadcaster(hub.Clients, hub.Groups, sp.GetRequiredService<ILogger<RoomBroadcaster>>(), sp.GetRequiredService<IRoomBus>().NodeId);
        });
        services.TryAddSingleton<RoomEvents>();
        services.AddHostedService<RoomBusService>();
        services.TryAddSingleton<StockPublisher>();
        services.TryAddSingleton<ViewerCountPublisher>();
        services.TryAddSingleton<RoomStock>();
        services.TryAddSingleton<ChatService>();
        services.TryAddSingleton<ModerationService>();
        services.TryAddSingleton<MerchandisingService>();
        services.TryAddSingleton<IShowTimeline, NoShowTimeline>();
        services.TryAddSingleton<IRoomActivity, NoRoomActivity>();
        services.TryAddSingleton<IChannelMediaTime, NoChannelMediaTime>();
        services.TryAddSingleton<RoomCues>();
        services.TryAddSingleton<RoomService>();
        services.TryAddSingleton<ILiveRoomControl, LiveRoomControl>();
        services.TryAddSingleton<PurchaseService>();
        services.TryAddSingleton<CouponPublisher>();
        services.TryAddSingleton<CouponService>();
        services.TryAddSingleton<LikeService>();
        services.TryAddSingleton<DrawService>();
        services.AddHostedService<DrawClock>();
        services.TryAddSingleton<OrderDispatchSignal>();
        services.TryAddSingleton<OrderAnnouncer>();

        services.TryAddSingleton<OrderEndpoint>();
        services.TryAddSingleton<IBuiltInOrderApiKey>(sp => sp.GetRequiredService<OrderEndpoint>());
        services.TryAddSingleton<OrderApiClient>();
        services.AddHttpClient(OrderApiClient.HttpClientName, http => http.Timeout = Timeout.InfiniteTimeSpan)
            .ConfigurePrimaryHttpMessageHandler(sp =>
            {
                // Redirects are never followed: see OrderApiClient (a 3xx is a misconfigured endpoint).
                var handler = new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.FromMinutes(5), AllowAutoRedirect = false };
                // The built-in endpoint is this very process; when it only listens on https, its certificate is for the
                // public name, not 127.0.0.1. Skipping that check is safe only because this client then dials nothing
                // but loopback: OrderEndpoint.Resolve pins the address, and the connect callback refuses any other.
                if (sp.GetRequiredService<OrderEndpoint>().IsBuiltIn)
                {
                    handler.ConnectCallback = OrderEndpoint.ConnectLoopbackOnlyAsync;
                    handler.SslOptions.RemoteCertificateValidationCallback = (_, _, _, _) => true;
                }
                return handler;
            });
        services.AddHostedService<OrderDispatcher>();

        // Follows, reminders and the CRM webhook (Relay:Crm): the same answer classes, backoff and signing as the order API.
        services.TryAddSingleton<FollowService>();
        services.TryAddSingleton<IFollowerLookup, FollowerLookup>();
        services.TryAddSingleton<CrmDispatchSignal>();
        services.TryAddSingleton<CrmEndpoint>();
        services.AddHttpClient(CrmDispatcher.HttpClientName, http => http.Timeout = Timeout.InfiniteTimeSpan)
            .ConfigurePrimaryHttpMessageHandler(() => new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.FromMinutes(5), AllowAutoRedirect = false });
        services.AddHostedService<CrmDispatcher>();
        return services;
    }

    /// <summary>Maps `/hubs/live`, `POST /api/v1/guests`, `GET /api/v1/channels/{id}/orders`,
    /// `POST /api/v1/orders/{orderId}/redeliver` and, only when it is the order endpoint (Orders:Endpoint unset), the
    /// built-in `POST|GET /api/v1/orders`.</summary>
    public static IEndpointRouteBuilder MapRelayChat(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapHub<LiveHub>("/hubs/live", connection =>
        {
            connection.Transports = HttpTransportType.WebSockets | HttpTransportType.ServerSentEvents | HttpTransportType.LongPolling;
        });
        // Read from configuration, not IOptions: options are validated at start, after mapping, and all sections together.
        var builtIn = string.IsNullOrWhiteSpace(endpoints.ServiceProvider.GetRequiredService<IConfiguration>()[$"{OrdersOptions.Section}:Endpoint"]);
        OrdersApi.Map(endpoints, builtIn);
        OrderRedeliveryApi.Map(endpoints);
        GuestsApi.Map(endpoints);
        FollowersApi.Map(endpoints);
        CrmApi.Map(endpoints);
        DrawsApi.Map(endpoints);
        ReferralsApi.Map(endpoints);
        return endpoints;
    }

    /// <summary>MessagePack with the formatters written for the contract types instead of the run-time generated ones (see
    /// <see cref="HubContractFormatters"/>). The framework marks <c>AddMessagePackProtocol</c> as unsafe for trimming
    /// because MessagePack's default resolvers generate code at run time; these options replace them, so nothing of that
    /// is reached (HubContractFormatterTests; the native tests run the hub over MessagePack).</summary>
    [UnconditionalSuppressMessage("Trimming", "IL2026", Justification = "The dynamic resolvers are replaced by HubContractFormatters.SerializerOptions.")]
    [UnconditionalSuppressMessage("AOT", "IL3050", Justification = "The dynamic resolvers are replaced by HubContractFormatters.SerializerOptions.")]
    private static ISignalRServerBuilder AddContractMessagePackProtocol(this ISignalRServerBuilder signalR) =>
        signalR.AddMessagePackProtocol(messagePack => messagePack.SerializerOptions = HubContractFormatters.SerializerOptions);
}
