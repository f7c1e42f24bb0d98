using System.Diagnostics;
using System.Text;

namespace Relay.Tests.Common.Hosts;

/// <summary>Runs Relay.Server as its own process (as an operator would), for startup and crash tests.</summary>
public static class RelayProcess
{
    public static string ServerDll => Path.Combine(AppContext.BaseDirectory, "Relay.Server.dll");

    public static ProcessStartInfo StartInfo(IEnumerable<string> args)
    {
        var psi = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
            WorkingDirectory = AppContext.BaseDirectory,
        };
        psi.ArgumentList.Add(ServerDll);
        foreach (var a in args)
        {
            psi.ArgumentList.Add(a);
        }
        psi.Environment["DOTNET_NOLOGO"] = "1";
        return psi;
    }

    /// <summary>Runs Relay until it exits (or kills it after <paramref name="timeout"/>).</summary>
    public static async Task<(int ExitCode, string StdOut, string StdErr)> RunToExitAsync(IEnumerable<string> args, TimeSpan timeout, CancellationToken ct)
    {
        using var process = Process.Start(StartInfo(args))!;
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
