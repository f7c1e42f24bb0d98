using System.Diagnostics;

namespace Relay.Tests.Common.Hosts;

/// <summary>
/// The shipped executable: Relay.Server compiled with NativeAOT. <c>./test.sh</c> compiles it before the tests
/// (<c>scripts/prereqs.sh publish_native</c>) and passes its path in <c>RELAY_NATIVE_BINARY</c>; a test run started
/// another way (an IDE, <c>dotnet test --filter</c>) compiles it here once the same way, which takes minutes the first time.
/// </summary>
public static class NativeRelayBinary
{
    public const string Variable = "RELAY_NATIVE_BINARY";

    private static readonly SemaphoreSlim Once = new(1, 1);
    private static string? _path;

    public static async Task<string> PathAsync(CancellationToken ct)
    {
        if (Environment.GetEnvironmentVariable(Variable) is { Length: > 0 } given)
        {
            Assert.True(File.Exists(given), $"{Variable}={given} does not exist; run ./test.sh, which compiles it");
            return given;
        }

        await Once.WaitAsync(ct);
        try
        {
            return _path ??= await PublishAsync(ct);
        }
        finally
        {
            Once.Release();
        }
    }

    /// <summary>The same compile as <c>./run.sh</c> and <c>./test.sh</c> (<c>scripts/prereqs.sh publish_native</c>: into
    /// <c>out/native</c>, skipped when no source is newer than the executable).</summary>
    private static async Task<string> PublishAsync(CancellationToken ct)
    {
        var root = RepositoryRoot();
        var info = new ProcessStartInfo("bash")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = root,
        };
        info.ArgumentList.Add("-c");
        info.ArgumentList.Add("source scripts/prereqs.sh && publish_native");

        using var process = Process.Start(info)!;
        var stdout = process.StandardOutput.ReadToEndAsync(ct);
        var stderr = process.StandardError.ReadToEndAsync(ct);
        using var limit = CancellationTokenSource.CreateLinkedTokenSource(ct);
        limit.CancelAfter(TimeSpan.FromMinutes(20));
        try
        {
            await process.WaitForExitAsync(limit.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw;
        }

        Assert.True(process.ExitCode == 0, $"scripts/prereqs.sh publish_native failed ({process.ExitCode}); it needs clang and zlib1g-dev:\n{await stdout}\n{await stderr}");
        return Path.Combine(root, "out", "native", "Relay.Server");
    }

    private static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Relay.Server", "Relay.Server.csproj")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException("Relay.Server/Relay.Server.csproj not found above " + AppContext.BaseDirectory);
    }
}
