using System.Text.RegularExpressions;

namespace Relay.Tests.Common.Peers;

/// <summary>
/// The committed load balancer of the cluster deployment (<c>config/compose/nginx-cluster.conf</c>) run by Debian's
/// nginx: the same file with only the addresses substituted (upstream <c>relay-a</c>, <c>relay-b</c>, ... by the test
/// nodes' loopback ports, the listen ports by free ones, pid and temporary folders by a temp folder) and Debian's
/// dynamic stream module loaded (the nginx image has it built in). Every substitution must match, so a config that
/// drifts from what the tests run fails here instead of silently running something else.
/// </summary>
public sealed class ClusterLoadBalancer : IAsyncDisposable
{
    public const string StreamModule = "/usr/lib/nginx/modules/ngx_stream_module.so";

    private readonly PeerProcess _process;

    private ClusterLoadBalancer(PeerProcess process, string directory, int httpPort, int rtmpPort)
    {
        _process = process;
        Directory = directory;
        HttpPort = httpPort;
        RtmpPort = rtmpPort;
    }

    public string Directory { get; }

    public int HttpPort { get; }

    public int RtmpPort { get; }

    public Uri BaseUrl => new($"http://127.0.0.1:{HttpPort}");

    public static string CommittedConfigPath => Path.Combine(RepoRoot, "config", "compose", "nginx-cluster.conf");

    public static string RepoRoot
    {
        get
        {
            for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            {
                if (File.Exists(Path.Combine(dir.FullName, "Relay.sln")) && System.IO.Directory.Exists(Path.Combine(dir.FullName, "config")))
                {
                    return dir.FullName;
                }
            }

            throw new InvalidOperationException("repository root (Relay.sln) not found above " + AppContext.BaseDirectory);
        }
    }

    public static void SkipIfMissing()
    {
        Tools.RequireOrSkip("nginx");
        if (!File.Exists(StreamModule))
        {
            Assert.Skip("libnginx-mod-stream is not installed");
        }
    }

    /// <summary>The committed config for nodes listening on <paramref name="nodes"/> (HTTP, RTMP), node i standing for relay-(a+i).</summary>
    public static string Localize(string config, IReadOnlyList<(int Http, int Rtmp)> nodes, int httpPort, int rtmpPort, string directory)
    {
        var upstreams = 0;
        config = Replace(config, @"server relay-([a-z]):(1935|8080)\b", m =>
        {
            var index = m.Groups[1].Value[0] - 'a';
            Assert.True(index < nodes.Count, $"the config names {m.Value}, the test runs {nodes.Count} nodes");
            upstreams++;
            return $"server 127.0.0.1:{(m.Groups[2].Value == "1935" ? nodes[index].Rtmp : nodes[index].Http)}";
        });
        Assert.Equal(2 * nodes.Count, upstreams);
        config = Replace(config, @"listen 1935;", _ => $"listen 127.0.0.1:{rtmpPort};");
        config = Replace(config, @"listen 8080;", _ => $"listen 127.0.0.1:{httpPort};");
        config = Replace(config, @"pid /tmp/nginx\.pid;", _ => $"pid {directory}/nginx.pid;");
        config = Replace(config, @"/tmp/nginx-", _ => $"{directory}/");
        return $"load_module {StreamModule};\n{config}";
    }

    /// <summary><c>nginx -t</c> on a file; the exit code and what it said.</summary>
    public static async Task<(int ExitCode, string Output)> CheckAsync(string configPath)
    {
        var info = new System.Diagnostics.ProcessStartInfo("nginx") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in new[] { "-t", "-p", Path.GetDirectoryName(configPath)!, "-c", configPath, "-e", "stderr" })
        {
            info.ArgumentList.Add(a);
        }

        using var process = System.Diagnostics.Process.Start(info)!;
        var output = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync(TestContext.Current.CancellationToken);
        return (process.ExitCode, await output + await process.StandardOutput.ReadToEndAsync());
    }

    /// <summary>Writes the localized config into a temp folder (for <see cref="CheckAsync"/> or a start).</summary>
    public static async Task<string> WriteLocalizedAsync(string directory, IReadOnlyList<(int Http, int Rtmp)> nodes, int httpPort, int rtmpPort)
    {
        var path = Path.Combine(directory, "nginx.conf");
        await File.WriteAllTextAsync(path, Localize(await File.ReadAllTextAsync(CommittedConfigPath), nodes, httpPort, rtmpPort, directory));
        return path;
    }

    public static async Task<ClusterLoadBalancer> StartAsync(IReadOnlyList<(int Http, int Rtmp)> nodes)
    {
        SkipIfMissing();
        var directory = System.IO.Directory.CreateTempSubdirectory("relay-lb-").FullName;
        int httpPort = FreePort.Next(), rtmpPort = FreePort.Next();
        var config = await WriteLocalizedAsync(directory, nodes, httpPort, rtmpPort);
        // One process in the foreground, so disposing the peer stops it all.
        var process = PeerProcess.Start("nginx-lb", "nginx", ["-p", directory, "-c", config, "-e", "stderr", "-g", "daemon off; master_process off;"]);
        var balancer = new ClusterLoadBalancer(process, directory, httpPort, rtmpPort);
        try
        {
            await FreePort.WaitListeningAsync(httpPort, TimeSpan.FromSeconds(10), process);
            await FreePort.WaitListeningAsync(rtmpPort, TimeSpan.FromSeconds(10), process);
            return balancer;
        }
        catch
        {
            await balancer.DisposeAsync();
            throw;
        }
    }

    public string ErrorLog => _process.StderrTail;

    public async ValueTask DisposeAsync()
    {
        await _process.DisposeAsync();
        try { System.IO.Directory.Delete(Directory, recursive: true); } catch (IOException) { }
    }

    private static string Replace(string text, string pattern, MatchEvaluator replacement)
    {
        Assert.Matches(pattern, text);
        return Regex.Replace(text, pattern, replacement);
    }
}
