using System.Diagnostics;

namespace Relay.Tests.Common;

/// <summary>
/// The external programs tests drive (ffmpeg, nginx, node, obs, prometheus ...): found on PATH in one place, and a
/// test that needs a missing one skips with its name instead of failing (./test.sh installs them as root).
/// </summary>
public static class Tools
{
    /// <summary>The full path of <paramref name="name"/> in the first PATH directory that holds it, or null.</summary>
    public static string? Find(string name)
    {
        foreach (var dir in (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries))
        {
            var candidate = Path.Combine(dir, name);
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }

        return null;
    }

    public static bool Exists(string name) => Find(name) is not null;

    /// <summary>Skips the running test unless every one of <paramref name="names"/> is on PATH.</summary>
    public static void RequireOrSkip(params string[] names)
    {
        foreach (var name in names)
        {
            if (!Exists(name))
            {
                Assert.Skip($"{name} is not installed (see docs/egress.md, test prerequisites)");
            }
        }
    }

    public static async Task<string> RunAsync(string file, params string[] arguments)
    {
        var info = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in arguments) info.ArgumentList.Add(a);
        using var process = Process.Start(info)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await process.WaitForExitAsync(cts.Token);
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"{file} exited {process.ExitCode}: {await stderr}");
        }

        return await stdout;
    }
}
