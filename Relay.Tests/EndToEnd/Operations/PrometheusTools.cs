using System.Diagnostics;
using System.Text;
using Relay.Tests.Common;

namespace Relay.Tests.EndToEnd.Operations;

/// <summary>Locates Debian's prometheus/promtool and the repository's config/ folder.</summary>
internal static class PrometheusTools
{
    private static readonly Lazy<string?> Promtool = new(() => Tools.Find("promtool"));
    private static readonly Lazy<string?> Prometheus = new(() => Tools.Find("prometheus"));

    public const string InstallHint = "install it with: apt-get install -y prometheus (.ci/run and test.sh do)";

    public static string PromtoolPath => Promtool.Value ?? throw new InvalidOperationException("promtool missing");

    public static string PrometheusPath => Prometheus.Value ?? throw new InvalidOperationException("prometheus missing");

    public static void SkipIfPromtoolMissing()
    {
        if (Promtool.Value is null)
        {
            Assert.Skip($"promtool is not on PATH; {InstallHint}");
        }
    }

    public static void SkipIfPrometheusMissing()
    {
        if (Prometheus.Value is null)
        {
            Assert.Skip($"prometheus is not on PATH; {InstallHint}");
        }
    }

    /// <summary>The repository root, found from the test binary upwards (the tests read the committed config, not a copy).</summary>
    public static string RepoRoot { get; } = FindRepoRoot();

    public static string ConfigPath(params string[] parts) => Path.Combine([RepoRoot, "config", .. parts]);

    public static async Task<(int ExitCode, string Output)> RunAsync(string file, string arguments, string workingDirectory, TimeSpan timeout)
    {
        var info = new ProcessStartInfo(file, arguments)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = workingDirectory,
        };
        using var process = Process.Start(info)!;
        var output = new StringBuilder();
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var cts = new CancellationTokenSource(timeout);
        try
        {
            await process.WaitForExitAsync(cts.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{file} {arguments} did not finish within {timeout}");
        }
        output.Append(await stdout).Append(await stderr);
        return (process.ExitCode, output.ToString());
    }

    private static string FindRepoRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Relay.sln")) && Directory.Exists(Path.Combine(dir.FullName, "config", "prometheus")))
            {
                return dir.FullName;
            }
        }
        throw new InvalidOperationException($"no Relay.sln with config/prometheus above {AppContext.BaseDirectory}");
    }
}
