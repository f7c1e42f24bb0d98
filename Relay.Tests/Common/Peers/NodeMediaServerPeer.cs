using System.Diagnostics;
using System.Text.Json;
using Relay.Tests.Common.Media;

namespace Relay.Tests.Common.Peers;

/// <summary>
/// node-media-server 4 (from npm, installed by <c>npm ci</c> in Relay.Tests/Common/Peers/node) on free loopback ports;
/// what it receives is read back over its HTTP-FLV endpoint.
/// </summary>
public sealed class NodeMediaServerPeer : IAsyncDisposable
{
    private readonly PeerProcess _process;
    private readonly string _directory;
    private readonly HttpClient _http = new() { Timeout = Timeout.InfiniteTimeSpan };

    private NodeMediaServerPeer(PeerProcess process, string directory, int rtmpPort, int httpPort)
    {
        _process = process;
        _directory = directory;
        RtmpPort = rtmpPort;
        HttpPort = httpPort;
    }

    public int RtmpPort { get; }

    public int HttpPort { get; }

    public static string AppScript => Path.Combine(PeersDirectory, "node_modules", "node-media-server", "bin", "app.js");

    /// <summary>The source folder's Common/Peers/node/ (tests run from bin/, the npm install lives next to the sources).</summary>
    public static string PeersDirectory
    {
        get
        {
            var dir = new DirectoryInfo(AppContext.BaseDirectory);
            while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "Relay.Tests.csproj")))
            {
                dir = dir.Parent;
            }

            return Path.Combine(dir?.FullName ?? AppContext.BaseDirectory, "Common", "Peers", "node");
        }
    }

    public static async Task<NodeMediaServerPeer> StartAsync()
    {
        Tools.RequireOrSkip("node");
        if (!File.Exists(AppScript))
        {
            Assert.Skip($"node-media-server is not installed: run `npm ci` in {PeersDirectory}");
        }

        var directory = Directory.CreateTempSubdirectory("relay-nms-").FullName;
        var rtmpPort = FreePort.Next();
        var httpPort = FreePort.Next();
        var config = new
        {
            bind = "127.0.0.1",
            rtmp = new { port = rtmpPort },
            http = new { port = httpPort },
            store = new { path = Path.Combine(directory, "data") },
            auth = new { play = false, publish = false, secret = "test-secret-not-used" },
            notify = new { url = "" },
        };
        var configPath = Path.Combine(directory, "config.json");
        await File.WriteAllTextAsync(configPath, JsonSerializer.Serialize(config));
        var process = PeerProcess.Start("node-media-server", "node", [AppScript, "-c", configPath], workingDirectory: directory, redirectStdout: true);
        _ = process.Process.StandardOutput.BaseStream.CopyToAsync(Stream.Null);
        var peer = new NodeMediaServerPeer(process, directory, rtmpPort, httpPort);
        try
        {
            await FreePort.WaitListeningAsync(rtmpPort, TimeSpan.FromSeconds(15), process);
            await FreePort.WaitListeningAsync(httpPort, TimeSpan.FromSeconds(15), process);
        }
        catch
        {
            await peer.DisposeAsync();
            throw;
        }

        return peer;
    }

    /// <summary>Plays the stream over HTTP-FLV and records it.</summary>
    public async Task<FlvSinkRecorder> PlayAsync(string app, string name, Stopwatch clock, CancellationToken cancellationToken)
    {
        var deadline = clock.Elapsed + TimeSpan.FromSeconds(10);
        while (true)
        {
            var response = await _http.GetAsync($"http://127.0.0.1:{HttpPort}/{app}/{name}.flv", HttpCompletionOption.ResponseHeadersRead, cancellationToken);
            if (response.IsSuccessStatusCode)
            {
                return new FlvSinkRecorder(await response.Content.ReadAsStreamAsync(cancellationToken), clock, Path.GetTempFileName());
            }

            response.Dispose();
            if (clock.Elapsed > deadline) throw new TimeoutException($"node-media-server never served /{app}/****.flv: {response.StatusCode}");
            await Task.Delay(100, cancellationToken);
        }
    }

    public async ValueTask DisposeAsync()
    {
        _http.Dispose();
        await _process.DisposeAsync();
        try { Directory.Delete(_directory, recursive: true); } catch (IOException) { }
    }
}
