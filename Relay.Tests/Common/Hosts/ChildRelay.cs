using System.Diagnostics;
using System.Net.Http.Headers;
using System.Text;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Relay.Ingest.Configuration;
using Relay.Ingest.Ffmpeg;

namespace Relay.Tests.Common.Hosts;

/// <summary>
/// Relay.Server as its own process (as an operator runs it) on a fixed DataDir, HTTP port, RTMP port and admin token,
/// so a second instance after <see cref="ChildProcessHost.Kill"/> is the same installation restarted, as systemd would
/// do it. <see cref="RunToExitAsync"/> runs one to its exit, for startup refusals.
/// </summary>
internal sealed class ChildRelay : ChildProcessHost
{
    public const string AdminToken = "faults-admin-token-0123456789";

    private ChildRelay(string dataDir)
        : base(dataDir, "relay-child")
    {
    }

    public static string ServerDll => Path.Combine(AppContext.BaseDirectory, "Relay.Server.dll");

    /// <summary>What marks this installation's ffmpeg children (the registry derives it from the DataDir).</summary>
    public static string OwnerMarker(string dataDir) =>
        new FfmpegProcessRegistry(Options.Create(new IngestOptions { DataDir = dataDir }), NullLogger<FfmpegProcessRegistry>.Instance).OwnerMarker;

    /// <summary>Starts Relay on <paramref name="dataDir"/> and waits for <c>/readyz</c>; <paramref name="extra"/> are more command-line arguments.</summary>
    public static Task<ChildRelay> StartAsync(string dataDir, int httpPort, int rtmpPort, params string[] extra) =>
        StartAsync(args => DotnetStartInfo(ServerDll, args), dataDir, httpPort, rtmpPort, extra);

    /// <summary>As <see cref="StartAsync(string, int, int, string[])"/>, but the shipped NativeAOT executable (<see cref="NativeRelayBinary"/>).</summary>
    public static async Task<ChildRelay> StartNativeAsync(string dataDir, int httpPort, int rtmpPort, params string[] extra)
    {
        var binary = await NativeRelayBinary.PathAsync(TestContext.Current.CancellationToken);
        return await StartAsync(args => NativeStartInfo(binary, args), dataDir, httpPort, rtmpPort, extra);
    }

    private static ProcessStartInfo NativeStartInfo(string binary, IEnumerable<string> args)
    {
        var psi = new ProcessStartInfo(binary)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
            WorkingDirectory = Path.GetDirectoryName(binary)!,
        };
        foreach (var a in args)
        {
            psi.ArgumentList.Add(a);
        }

        return psi;
    }

    private static async Task<ChildRelay> StartAsync(Func<IEnumerable<string>, ProcessStartInfo> startInfo, string dataDir, int httpPort, int rtmpPort, string[] extra)
    {
        var settings = Settings(new Dictionary<string, string?>
        {
            ["Relay:DataDir"] = dataDir,
            ["Relay:Ingest:RtmpPort"] = $"{rtmpPort}",
            ["Relay:Ingest:RtmpBindAddress"] = "127.0.0.1",
            ["Relay:Auth:AdminToken"] = AdminToken,
            ["Relay:Hls:Enabled"] = "false",
            ["Relay:Recording:Enabled"] = "false",
        }, null);
        var relay = new ChildRelay(dataDir);
        relay.Start(startInfo(["--urls", $"http://127.0.0.1:{httpPort}", .. CommandLine(settings), .. extra]));
        try
        {
            using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(2) };
            await WaitUntilReadyAsync(async () =>
            {
                try
                {
                    return (await http.GetAsync($"http://127.0.0.1:{httpPort}/readyz", TestContext.Current.CancellationToken)).IsSuccessStatusCode;
                }
                catch (HttpRequestException)
                {
                    return false;
                }
                catch (TaskCanceledException) when (!TestContext.Current.CancellationToken.IsCancellationRequested)
                {
                    return false;
                }
            }, TimeSpan.FromSeconds(60), () => relay.HasExited, () => relay.Output);
            return relay;
        }
        catch
        {
            await relay.AbandonAsync();
            throw;
        }
    }

    public static HttpClient Admin(int httpPort)
    {
        var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{httpPort}"), Timeout = TimeSpan.FromSeconds(10) };
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", AdminToken);
        return http;
    }

    /// <summary>Runs Relay until it exits (or kills it after <paramref name="timeout"/>), for tests of a start it must refuse.</summary>
    public static async Task<(int ExitCode, string StdOut, string StdErr)> RunToExitAsync(IEnumerable<string> args, TimeSpan timeout, CancellationToken ct)
    {
        using var process = Process.Start(DotnetStartInfo(ServerDll, args))!;
        var stdout = new StringBuilder();
        var stderr = new StringBuilder();
        process.OutputDataReceived += (_, e) => { if (e.Data is not null) { lock (stdout) { stdout.AppendLine(e.Data); } } };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) { lock (stderr) { stderr.AppendLine(e.Data); } } };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(ct);
        cts.CancelAfter(timeout);
        try
        {
            await process.WaitForExitAsync(cts.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync(CancellationToken.None);
            throw new TimeoutException($"Relay did not exit within {timeout}; stdout: {stdout}");
        }
        process.WaitForExit(); // flush the async readers
        return (process.ExitCode, stdout.ToString(), stderr.ToString());
    }
}
