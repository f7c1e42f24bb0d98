using System.Net.Http.Headers;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Relay.Server.Access;
using Relay.Server.Channels;
using Relay.Server.Hosting;

namespace Relay.Tests.Common.Hosts;

/// <summary>
/// A real Relay on 127.0.0.1 (free HTTP and RTMP ports) over its own DataDir, started the way
/// Program starts it. Dispose stops it; <see cref="RestartAsync"/> keeps the DataDir.
/// </summary>
public sealed class RelayTestServer : IAsyncDisposable
{
    private readonly TempDir? _ownedDir;
    private readonly string[] _extraArgs;
    private Action<IServiceCollection>? _services;

    private RelayTestServer(string dataDir, TempDir? ownedDir, string[] extraArgs)
    {
        DataDir = dataDir;
        _ownedDir = ownedDir;
        _extraArgs = extraArgs;
        RtmpPort = FreePort.Next();
    }

    public string DataDir { get; }

    /// <summary>Every log line of every category at every level, for "no secret in logs" assertions.</summary>
    public LogCapture Logs { get; } = new();

    public int RtmpPort { get; }

    /// <summary>Parts of the Error lines this test provokes on purpose; any other Error or Critical log fails it at dispose.</summary>
    public List<string> AllowedErrors { get; } = [];

    public WebApplication App { get; private set; } = null!;

    public Uri BaseAddress { get; private set; } = null!;

    public string AdminToken => App.Services.GetRequiredService<AdminToken>().Value;

    public ChannelService Channels => App.Services.GetRequiredService<ChannelService>();

    public static Task<RelayTestServer> StartAsync(params string[] extraArgs) => StartAsync(null, extraArgs);

    /// <summary>As <see cref="StartAsync(string[])"/>, with <paramref name="services"/> applied last (to replace a service).</summary>
    public static async Task<RelayTestServer> StartAsync(Action<IServiceCollection>? services, params string[] extraArgs)
    {
        var dir = new TempDir("relay-server");
        var server = new RelayTestServer(dir.Path, dir, extraArgs) { _services = services };
        try
        {
            await server.StartAppAsync();
            return server;
        }
        catch
        {
            dir.Dispose();
            throw;
        }
    }

    public string[] Args =>
    [
        "--urls", "http://127.0.0.1:0",
        $"--Relay:DataDir={DataDir}",
        $"--Relay:Ingest:RtmpPort={RtmpPort}",
        "--Logging:LogLevel:Default=Debug",
        .. _extraArgs,
    ];

    public HttpClient Client(string? bearer = null)
    {
        var client = new HttpClient { BaseAddress = BaseAddress, Timeout = TimeSpan.FromSeconds(30) };
        if (bearer is not null)
        {
            client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", bearer);
        }
        return client;
    }

    public HttpClient AdminClient() => Client(AdminToken);

    public async Task RestartAsync()
    {
        await App.StopAsync();
        await App.DisposeAsync();
        await StartAppAsync();
    }

    public async ValueTask DisposeAsync()
    {
        if (App is not null)
        {
            await App.StopAsync();
            await App.DisposeAsync();
        }
        _ownedDir?.Dispose();
        Logs.AssertNoErrors([.. AllowedErrors]);
    }

    private async Task StartAppAsync()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        App = await RelayHost.StartAsync(Args, bannerOut: null, cts.Token, builder =>
        {
            // Test output stays readable: logs go to the capture, which failing tests can print.
            builder.Logging.ClearProviders();
            builder.Logging.AddProvider(Logs);
            _services?.Invoke(builder.Services);
        });
        BaseAddress = new Uri(RelayHost.HttpBase(App));
    }
}
