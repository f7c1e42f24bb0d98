using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.SignalR.Client;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Relay.Chat;
using Relay.Chat.Channels;
using Relay.Tests.Common.Chat;

namespace Relay.Tests.Common.Hosts;

/// <summary>Relay.Chat hosted alone in this process, in a real Kestrel on 127.0.0.1 with a temp SQLite file.</summary>
public sealed class ChatTestHost : TestHost
{
    public const string Channel = "show1";
    public const string HostKey = "host-key-show1-abcdefghijklmnop";

    public static readonly LineupItem Lipstick = new("LIP-1", "Lipstick", 1999, "EUR", null, null);
    public static readonly LineupItem Serum = new("SER-1", "Serum", 4999, "EUR", "https://img.example/serum.png", 5);

    private WebApplication? _app;

    private ChatTestHost(string? dataDir)
        : base(dataDir, "relay-chat")
    {
    }

    public Uri BaseAddress { get; private set; } = null!;
    public IServiceProvider Services => _app!.Services;

    public static InMemoryChannelDirectory DefaultDirectory() =>
        new InMemoryChannelDirectory().Add(Channel, HostKey, Lipstick, Serum).Add("show2", "host-key-show2-abcdefghijklmnop", Lipstick);

    /// <param name="echoLogs">Also writes every log line there (the child-process variant, <see cref="ChildChatHost"/>, echoes to stdout).</param>
    public static async Task<ChatTestHost> StartAsync(
        IDictionary<string, string?>? settings = null, InMemoryChannelDirectory? directory = null, string? dataDir = null,
        Action<IServiceCollection>? services = null, TextWriter? echoLogs = null)
    {
        var host = new ChatTestHost(dataDir);
        host.Logs.Echo = echoLogs;
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseKestrel().UseUrls("http://127.0.0.1:0");
        builder.Configuration.AddInMemoryCollection(Settings(new Dictionary<string, string?>
        {
            ["Relay:DataDir"] = host.DataDir,
            ["Relay:Chat:ViewerCountDebounceMilliseconds"] = "50",
            ["Relay:Orders:InitialBackoffMilliseconds"] = "20",
            ["Relay:Orders:MaxBackoffSeconds"] = "0.2",
            ["Relay:Orders:TimeoutSeconds"] = "5",
            ["Relay:Orders:PollIntervalMilliseconds"] = "200",
        }, settings));
        builder.Logging.ClearProviders();
        builder.Logging.SetMinimumLevel(LogLevel.Debug);
        builder.Logging.AddProvider(host.Logs);
        // What RelayHost sets for the real server: request-start lines would print the hub's access_token.
        builder.Logging.AddFilter("Microsoft.AspNetCore.Hosting.Diagnostics", LogLevel.Warning);
        var channels = directory ?? DefaultDirectory();
        builder.Services.AddSingleton<IChannelDirectory>(channels);
        builder.Services.AddSingleton<IHostCredentials>(channels);
        builder.Services.AddRelayChat(builder.Configuration);
        services?.Invoke(builder.Services);
        host._app = builder.Build();
        host._app.MapRelayChat();
        try
        {
            await host._app.StartAsync(TestContext.Current.CancellationToken);
            var address = host._app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
            host.BaseAddress = new Uri(address);
            return host;
        }
        catch
        {
            await host.AbandonAsync();
            throw;
        }
    }

    public HubConnection Connect(string protocol, string? accessToken = null)
    {
        var url = new Uri(BaseAddress, "/hubs/live" + (accessToken is null ? "" : "?access_token=" + Uri.EscapeDataString(accessToken)));
        return Hub.Build(url, protocol);
    }

    public HttpClient Http() => new() { BaseAddress = BaseAddress, Timeout = TimeSpan.FromSeconds(10) };

    protected override async ValueTask StopAsync()
    {
        if (_app is null)
        {
            return;
        }

        try
        {
            using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(5));
            await _app.StopAsync(stop.Token);
        }
        finally
        {
            await _app.DisposeAsync();
            // The SQLite pool keeps the file open: release it before the data directory goes.
            SqliteConnection.ClearAllPools();
        }
    }
}
