using Relay.Server.Configuration;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.Options;
using Relay.Common.Files;
using Relay.Server.Access;
using Relay.Server.Apis;
using Relay.Server.Channels;

namespace Relay.Server.Hosting;

/// <summary>Builds and starts Relay; used by Program and by the functional tests alike.</summary>
public static class RelayHost
{
    public const string DefaultUrls = "http://0.0.0.0:8080";

    public static WebApplication Build(string[] args, Action<WebApplicationBuilder>? configure = null)
    {
        var builder = WebApplication.CreateBuilder(args);
        AddRelayJson(builder.Configuration);
        if (string.IsNullOrWhiteSpace(builder.Configuration["urls"]) && string.IsNullOrWhiteSpace(builder.Configuration["Kestrel:Endpoints:Http:Url"]))
        {
            builder.WebHost.UseUrls(DefaultUrls);
        }
        ConfigureLogging(builder);
        ConfigureSockets(builder);
        builder.Services.AddRelayServer(builder.Configuration);
        configure?.Invoke(builder);

        var app = builder.Build();
        app.MapRelayServer();
        return app;
    }

    /// <summary>
    /// Kestrel re-queues every socket read and write continuation to its own IO queues by default. A room broadcast is
    /// one small WebSocket write per connection, so that hop (a work item and often a thread wake-up per delivery) costs
    /// more than the write itself. Inline scheduling runs the send on the thread that produced it. Socket completions
    /// still arrive on thread-pool threads (unless DOTNET_SYSTEM_NET_SOCKETS_INLINE_COMPLETIONS=1, which Relay does not
    /// set), and the hub's methods run behind SignalR's own thread-pool-scheduled pipes, so a blocking call never stalls
    /// the epoll thread. `Relay:Server:InlineSocketScheduling=false` restores Kestrel's default. Measured: docs/benchmarks.md section 4.
    /// </summary>
    private static void ConfigureSockets(WebApplicationBuilder builder)
    {
        var inline = builder.Configuration.GetValue("Relay:Server:InlineSocketScheduling", true);
        builder.WebHost.UseSockets(o => o.UnsafePreferInlineScheduling = inline);
    }

    private static void ConfigureLogging(WebApplicationBuilder builder)
    {
        // Hosting's request-start lines print the full URL, and SignalR clients send their
        // access token in the query string: keep that category quiet whatever the log level.
        builder.Logging.AddFilter("Microsoft.AspNetCore.Hosting.Diagnostics", LogLevel.Warning);
        if (builder.Configuration.GetValue("Relay:Logging:Json", false))
        {
            builder.Logging.ClearProviders();
            builder.Logging.AddJsonConsole(o =>
            {
                o.IncludeScopes = true;
                o.UseUtcTimestamp = true;
                o.TimestampFormat = "yyyy-MM-ddTHH:mm:ss.fffZ";
            });
        }
    }

    /// <summary>Bootstraps (validation, store, channels) and starts listening.</summary>
    public static async Task<WebApplication> StartAsync(string[] args, TextWriter? bannerOut, CancellationToken ct, Action<WebApplicationBuilder>? configure = null)
    {
        var app = Build(args, configure);
        try
        {
            var bootstrap = app.Services.GetRequiredService<RelayBootstrap>();
            await bootstrap.RunAsync(ct);
            await app.StartAsync(ct);
            // Only now are the bound addresses known; the built-in order API must be reachable on loopback.
            if (app.Services.GetRequiredService<Relay.Chat.Orders.OrderEndpoint>().BuiltInAddressProblem() is { } orders)
            {
                throw new StartupException(orders);
            }
            var relay = app.Services.GetRequiredService<IOptions<Configuration.RelayOptions>>().Value;
            var channels = app.Services.GetRequiredService<ChannelService>();
            var banner = StartupBanner.Render(HttpBase(app), app.Services.GetRequiredService<PublicUrls>(),
                app.Services.GetRequiredService<AdminToken>(), channels.All, bootstrap.NewlyCreated);
            await StartupBanner.PublishAsync(relay.Banner, banner, DataDirectory.Resolve(relay.DataDir), bannerOut, ct);
            return app;
        }
        catch
        {
            await app.DisposeAsync();
            throw;
        }
    }

    /// <summary>The first bound HTTP address, with a wildcard host shown as localhost.</summary>
    public static string HttpBase(WebApplication app)
    {
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()?.Addresses.FirstOrDefault()
            ?? "http://localhost:8080";
        return address.Replace("://0.0.0.0", "://localhost").Replace("://[::]", "://localhost").Replace("://+", "://localhost");
    }

    /// <summary>
    /// config/relay.json sits under every other source (env vars and the command line override it).
    /// <c>--config PATH</c> names another file; otherwise ./config/relay.json, then the copy beside the binary.
    /// </summary>
    private static void AddRelayJson(ConfigurationManager configuration)
    {
        var explicitPath = configuration["config"];
        var path = explicitPath ?? new[]
        {
            Path.Combine(Directory.GetCurrentDirectory(), "config", "relay.json"),
            Path.Combine(AppContext.BaseDirectory, "config", "relay.json"),
        }.FirstOrDefault(File.Exists);
        if (path is null)
        {
            return;
        }
        if (!File.Exists(path))
        {
            throw new StartupException($"config: the file '{path}' does not exist");
        }
        var source = new Microsoft.Extensions.Configuration.Json.JsonConfigurationSource
        {
            Path = Path.GetFullPath(path),
            Optional = false,
            ReloadOnChange = false,
        };
        source.ResolveFileProvider();
        configuration.Sources.Insert(0, source);
    }
}
