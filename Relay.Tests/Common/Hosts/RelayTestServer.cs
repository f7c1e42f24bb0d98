using System.Net.Http.Headers;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Relay.Server.Access;
using Relay.Server.Channels;
using Relay.Server.Hosting;

namespace Relay.Tests.Common.Hosts;

/// <summary>
/// A real Relay in this process on 127.0.0.1 (free HTTP and RTMP ports) over its own DataDir, started the way
/// Program starts it. Dispose stops it; <see cref="RestartAsync"/> keeps the DataDir.
/// </summary>
public sealed class RelayTestServer : TestHost
{
    private readonly string[] _extraArgs;
    private Action<IServiceCollection>? _services;

    private RelayTestServer(string[] extraArgs)
        : base(dataDir: null, "relay-server")
    {
        _extraArgs = extraArgs;
        RtmpPort = FreePort.Next();
    }

    public int RtmpPort { get; }

    public WebApplication App { get; private set; } = null!;

    public Uri BaseAddress { get; private set; } = null!;

    public string AdminToken => App.Services.GetRequiredService<AdminToken>().Value;

    public ChannelService Channels => App.Services.GetRequiredService<ChannelService>();

    public static Task<RelayTestServer> StartAsync(params string[] extraArgs) => StartAsync(null, extraArgs);

    /// <summary>As <see cref="StartAsync(string[])"/>, with <paramref name="services"/> applied last (to replace a service).</summary>
    public static async Task<RelayTestServer> StartAsync(Action<IServiceCollection>? services, params string[] extraArgs)
    {
        var server = new RelayTestServer(extraArgs) { _services = services };
        try
        {
            await server.StartAppAsync();
            return server;
        }
        catch
        {
            await server.AbandonAsync();
            throw;
        }
    }

    public string[] Args =>
    [
        "--urls", "http://127.0.0.1:0",
        .. CommandLine(Settings(new Dictionary<string, string?>
        {
            ["Relay:DataDir"] = DataDir,
            ["Relay:Ingest:RtmpPort"] = $"{RtmpPort}",
            ["Logging:LogLevel:Default"] = "Debug",
        }, null)),
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

    protected override async ValueTask StopAsync()
    {
        if (App is not null)
        {
            await App.StopAsync();
            await App.DisposeAsync();
        }
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
