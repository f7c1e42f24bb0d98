using System.Diagnostics;
using System.Text;

namespace Relay.Tests.Common.Hosts;

/// <summary>
/// A host that runs as a child process (<see cref="ChildRelay"/>, <see cref="ChildChatHost"/>), for the tests an
/// in-process host cannot do: <c>kill -9</c>, a fresh metric registry. Its stdout and stderr are kept in
/// <see cref="Output"/> and read into <see cref="TestHost.Logs"/> by a <see cref="ChildLogReader"/>, so an unexpected
/// Error or Critical line in the child fails the test at dispose as it does in process.
/// </summary>
public abstract class ChildProcessHost : TestHost, IDisposable
{
    private const int QuietMilliseconds = 100;

    private readonly StringBuilder _output = new();
    private readonly ChildLogReader _reader;
    private readonly Timer _quiet;
    private Process? _process;

    protected ChildProcessHost(string? dataDir, string prefix)
        : base(dataDir, prefix)
    {
        _reader = new ChildLogReader(Logs);
        // The console formatter writes an entry's lines at once; when the output goes quiet the last entry is complete,
        // so a test polling Logs sees it without waiting for the next one.
        _quiet = new Timer(_ => { lock (_output) _reader.End(); });
    }

    public int Pid => Process.Id;

    /// <summary>Everything the child wrote to stdout and stderr.</summary>
    public string Output
    {
        get { lock (_output) return _output.ToString(); }
    }

    protected Process Process => _process ?? throw new InvalidOperationException("not started");

    protected bool HasExited => Process.HasExited;

    /// <summary><c>dotnet <paramref name="dll"/> args…</c> with stdio redirected, the way the child hosts start.</summary>
    public static ProcessStartInfo DotnetStartInfo(string dll, IEnumerable<string> args)
    {
        var psi = new ProcessStartInfo(Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") ?? "dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
            WorkingDirectory = AppContext.BaseDirectory,
        };
        psi.ArgumentList.Add(dll);
        foreach (var a in args)
        {
            psi.ArgumentList.Add(a);
        }

        psi.Environment["DOTNET_NOLOGO"] = "1";
        return psi;
    }

    protected void Start(ProcessStartInfo start)
    {
        _process = Process.Start(start)!;
        _process.OutputDataReceived += (_, e) => Read(e.Data);
        _process.ErrorDataReceived += (_, e) => Read(e.Data);
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
    }

    /// <summary>SIGKILL (what <c>Process.Kill()</c> sends on Linux): no shutdown hooks, no flush, children orphaned.</summary>
    public void Kill()
    {
        try
        {
            Process.Kill();
        }
        catch (InvalidOperationException)
        {
        }

        Process.WaitForExit(10_000);
    }

    /// <summary>As <see cref="TestHost.DisposeAsync"/>: stops it for good, with whatever it started, then checks its log.</summary>
    public void Dispose() => DisposeAsync().AsTask().GetAwaiter().GetResult();

    protected override ValueTask StopAsync()
    {
        if (_process is null)
        {
            return ValueTask.CompletedTask;
        }

        try
        {
            if (!_process.HasExited) _process.Kill(entireProcessTree: true);
        }
        catch (InvalidOperationException)
        {
        }

        _process.WaitForExit(10_000);
        _process.Dispose();
        _quiet.Dispose();
        lock (_output) _reader.End();
        return ValueTask.CompletedTask;
    }

    private void Read(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (_output)
        {
            _output.AppendLine(line);
            _reader.Read(line);
        }

        try
        {
            _quiet.Change(QuietMilliseconds, Timeout.Infinite);
        }
        catch (ObjectDisposedException)
        {
            // Output read after the host stopped (a grandchild still held the pipe): nothing is waiting for it.
        }
    }
}
