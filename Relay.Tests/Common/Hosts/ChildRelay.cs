using System.Diagnostics;
using System.Net.Http.Headers;
using System.Text;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Relay.Ingest.Configuration;
using Relay.Ingest.Ffmpeg;
using Relay.Tests.Common;

namespace Relay.Tests.Common.Hosts;

/// <summary>
/// Relay.Server as its own process (<see cref="RelayProcess"/>) on a fixed DataDir, HTTP port, RTMP port and admin
/// token, so a second instance after <see cref="Kill"/> is the same installation restarted, as systemd would do it.
/// </summary>
internal sealed class ChildRelay : IDisposable
{
    public const string AdminToken = "faults-admin-token-0123456789";

    private readonly Process _process;
    private readonly StringBuilder _output = new();

    private ChildRelay(Process process) => _process = process;

    public int Pid => _process.Id;

    public string Output { get { lock (_output) return _output.ToString(); } }

    /// <summary>What marks this installation's ffmpeg children (the registry derives it from the DataDir).</summary>
    public static string OwnerMarker(string dataDir) =>
        new FfmpegProcessRegistry(Options.Create(new IngestOptions { DataDir = dataDir }), NullLogger<FfmpegProcessRegistry>.Instance).OwnerMarker;

    public static async Task<ChildRelay> StartAsync(string dataDir, int httpPort, int rtmpPort, params string[] extra)
    {
        var args = new List<string>
        {
            "--urls", $"http://127.0.0.1:{httpPort}",
            $"--Relay:DataDir={dataDir}",
            $"--Relay:Ingest:RtmpPort={rtmpPort}",
            "--Relay:Ingest:RtmpBindAddress=127.0.0.1",
            $"--Relay:Auth:AdminToken={AdminToken}",
            "--Relay:Hls:Enabled=false",
            "--Relay:Recording:Enabled=false",
        };
        args.AddRange(extra);
        var relay = new ChildRelay(Process.Start(RelayProcess.StartInfo(args))!);
        relay._process.OutputDataReceived += (_, e) => { lock (relay._output) relay._output.AppendLine(e.Data); };
        relay._process.ErrorDataReceived += (_, e) => { lock (relay._output) relay._output.AppendLine(e.Data); };
        relay._process.BeginOutputReadLine();
        relay._process.BeginErrorReadLine();
        try
        {
            using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(2) };
            var deadline = DateTime.UtcNow.AddSeconds(60);
            while (true)
            {
                Assert.False(relay._process.HasExited, "Relay exited at start: " + relay.Output);
                Assert.True(DateTime.UtcNow < deadline, "Relay did not answer /readyz within 60 s: " + relay.Output);
                try
                {
                    if ((await http.GetAsync($"http://127.0.0.1:{httpPort}/readyz", TestContext.Current.CancellationToken)).IsSuccessStatusCode) break;
                }
                catch (HttpRequestException)
                {
                }
                catch (TaskCanceledException) when (!TestContext.Current.CancellationToken.IsCancellationRequested)
                {
                }

                await Task.Delay(100, TestContext.Current.CancellationToken);
            }

            return relay;
        }
        catch
        {
            relay.Dispose();
            throw;
        }
    }

    public static HttpClient Admin(int httpPort)
    {
        var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{httpPort}"), Timeout = TimeSpan.FromSeconds(10) };
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", AdminToken);
        return http;
    }

    /// <summary>SIGKILL (what <c>Process.Kill()</c> sends on Linux): no shutdown hooks, no flush, children orphaned.</summary>
    public void Kill()
    {
        try
        {
            _process.Kill();
        }
        catch (InvalidOperationException)
        {
        }

        _process.WaitForExit(10_000);
    }

    /// <summary>Stops it for good, with whatever it started (the test may fail before a graceful stop).</summary>
    public void Dispose()
    {
        try
        {
            if (!_process.HasExited) _process.Kill(entireProcessTree: true);
        }
        catch (InvalidOperationException)
        {
        }

        _process.WaitForExit(10_000);
        _process.Dispose();
    }
}
