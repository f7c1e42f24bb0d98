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

/// <summary>Relay.Chat hosted alone in a real Kestrel on 127.0.0.1 with a temp SQLite file.</summary>
public sealed class ChatTestHost : IAsyncDisposable
{
    public const string Channel = "show1";
    public const string HostKey = "host-key-show1-abcdefghijklmnop";

    public static readonly LineupItem Lipstick = new("LIP-1", "Lipstick", 1999, "EUR", null, null);
    public static readonly LineupItem Serum = new("SER-1", "Serum", 4999, "EUR", "https://img.example/serum.png", 5);

    private readonly WebApplication _app;
    private readonly bool _ownsDirectory;

    public string DataDir { get; }
    public Uri BaseAddress { get; }
    public IServiceProvider Services => _app.Services;
    public IEnumerable<string> ErrorLogs => AllLogs.Errors;

    /// <summary>Every log line at Debug or above, to prove no secret is ever written.</summary>
    public LogCapture AllLogs { get; }

    private ChatTestHost(WebApplication app, string dataDir, bool ownsDirectory, LogCapture logs)
    {
        AllLogs = logs;
        _app = app;
        DataDir = dataDir;
        _ownsDirectory = ownsDirectory;
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        BaseAddress = new Uri(address);
    }

    public static InMemoryChannelDirectory DefaultDirectory() =>
        new InMemoryChannelDirectory().Add(Channel, HostKey, Lipstick, Serum).Add("show2", "host-key-show2-abcdefghijklmnop", Lipstick);

    public static async Task<ChatTestHost> StartAsync(
        IDictionary<string, string?>? settings = null, InMemoryChannelDirectory? directory = null, string? dataDir = null,
        Action<IServiceCollection>? services = null)
    {
        var ownsDirectory = dataDir is null;
        dataDir ??= Directory.CreateTempSubdirectory("relay-chat-").FullName;
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseKestrel().UseUrls("http://127.0.0.1:0");
        var config = new Dictionary<string, string?>
        {
            ["Relay:DataDir"] = dataDir,
            ["Relay:Chat:ViewerCountDebounceMilliseconds"] = "50",
            ["Relay:Orders:InitialBackoffMilliseconds"] = "20",
            ["Relay:Orders:MaxBackoffSeconds"] = "0.2",
            ["Relay:Orders:TimeoutSeconds"] = "5",
            ["Relay:Orders:PollIntervalMilliseconds"] = "200",
        };
        foreach (var (k, v) in settings ?? new Dictionary<string, string?>()) config[k] = v;
        builder.Configuration.AddInMemoryCollection(config);
        var logs = new LogCapture();
        builder.Logging.ClearProviders();
        builder.Logging.SetMinimumLevel(LogLevel.Debug);
        builder.Logging.AddProvider(logs);
        // What RelayHost sets for the real server: request-start lines would print the hub's access_token.
        builder.Logging.AddFilter("Microsoft.AspNetCore.Hosting.Diagnostics", LogLevel.Warning);
        var channels = directory ?? DefaultDirectory();
        builder.Services.AddSingleton<IChannelDirectory>(channels);
        builder.Services.AddSingleton<IHostCredentials>(channels);
        builder.Services.AddRelayChat(builder.Configuration);
        services?.Invoke(builder.Services);
        var app = builder.Build();
        app.MapRelayChat();
        try
        {
            await app.StartAsync(TestContext.Current.CancellationToken);
        }
        catch
        {
            await app.DisposeAsync();
            throw;
        }
        return new ChatTestHost(app, dataDir, ownsDirectory, logs);
    }

    public HubConnection Connect(string protocol, string? accessToken = null)
    {
        var url = new Uri(BaseAddress, "/hubs/live" + (accessToken is null ? "" : "?access_token=" + Uri.EscapeDataString(accessToken)));
        return Hub.Build(url, protocol);
    }

    /// <summary>For tests that provoke errors on purpose; otherwise any Error log fails the test at dispose.</summary>
    public bool ErrorsExpected { get; set; }

    public HttpClient Http() => new() { BaseAddress = BaseAddress, Timeout = TimeSpan.FromSeconds(10) };

    public async ValueTask DisposeAsync()
    {
        try
        {
            using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(5));
            await _app.StopAsync(stop.Token);
        }
        finally
        {
            await _app.DisposeAsync();
            SqliteConnection.ClearAllPools();
            if (_ownsDirectory)
                try { Directory.Delete(DataDir, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
        }
        if (!ErrorsExpected) AllLogs.AssertNoErrors();
    }
}

/// <summary>Builds real SignalR clients for either protocol.</summary>
public static class Hub
{
    public static readonly TheoryData<string> Protocols = ["json", "messagepack"];

    public static HubConnection Build(Uri url, string protocol)
    {
        var builder = new HubConnectionBuilder().WithUrl(url);
        if (protocol == "messagepack") builder.AddMessagePackProtocol();
        else builder.AddJsonProtocol();
        return builder.Build();
    }
}
