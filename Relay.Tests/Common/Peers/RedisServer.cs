using System.Net.Sockets;
using System.Text;

namespace Relay.Tests.Common.Peers;

/// <summary>
/// A real Redis (Debian's <c>redis-server</c>) on a free loopback port, no persistence, its folder in /tmp; disposal
/// (or a failing test) stops it. <see cref="KillAsync"/> and <see cref="RestartAsync"/> are for the fault tests: Redis
/// holds nothing durable for Relay, so a restarted one starts empty, as a real one without persistence would.
/// </summary>
public sealed class RedisServer : IAsyncDisposable
{
    private PeerProcess? _process;

    private RedisServer(string directory, int port)
    {
        Directory = directory;
        Port = port;
    }

    public string Directory { get; }

    public int Port { get; }

    public bool Running => _process is { Process.HasExited: false };

    /// <summary>The StackExchange.Redis configuration string a node is given.</summary>
    public string Configuration => $"127.0.0.1:{Port}";

    public static async Task<RedisServer> StartAsync()
    {
        Tools.RequireOrSkip("redis-server");
        var server = new RedisServer(System.IO.Directory.CreateTempSubdirectory("relay-redis-").FullName, FreePort.Next());
        try
        {
            await server.StartProcessAsync();
            return server;
        }
        catch
        {
            await server.DisposeAsync();
            throw;
        }
    }

    /// <summary>Sends one inline command and returns Redis's raw answer (e.g. <c>DBSIZE</c>, <c>KEYS relay:*</c>).</summary>
    public async Task<string> CommandAsync(string command)
    {
        using var client = new TcpClient();
        await client.ConnectAsync("127.0.0.1", Port);
        var stream = client.GetStream();
        await stream.WriteAsync(Encoding.ASCII.GetBytes(command + "\r\n"));
        var buffer = new byte[64 * 1024];
        var read = await stream.ReadAsync(buffer);
        return Encoding.UTF8.GetString(buffer, 0, read);
    }

    public async Task KillAsync()
    {
        if (_process is { } process)
        {
            await Tools.RunAsync("kill", "-9", process.Process.Id.ToString());
            await process.WaitForExitAsync(TimeSpan.FromSeconds(10));
            await process.DisposeAsync();
            _process = null;
        }
    }

    public Task RestartAsync() => StartProcessAsync();

    private async Task StartProcessAsync()
    {
        var process = PeerProcess.Start("redis", "redis-server",
        [
            "--port", $"{Port}", "--bind", "127.0.0.1", "--dir", Directory, "--save", "", "--appendonly", "no",
            "--protected-mode", "no", "--loglevel", "warning", "--logfile", "",
        ]);
        try
        {
            await FreePort.WaitListeningAsync(Port, TimeSpan.FromSeconds(10), process);
            _process = process;
        }
        catch
        {
            await process.DisposeAsync();
            throw;
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_process is { } process)
        {
            await process.DisposeAsync();
        }

        try { System.IO.Directory.Delete(Directory, recursive: true); } catch (IOException) { }
    }
}
