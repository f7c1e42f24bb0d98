namespace Relay.Tests.Common.Hosts;

/// <summary>
/// What every test host shares, in-process (<see cref="RelayTestServer"/>, <see cref="IngestTestHost"/>,
/// <see cref="ChatTestHost"/>, <see cref="EgressTestHost"/>) or as a child process (<see cref="ChildRelay"/>,
/// <see cref="ChildChatHost"/>): a data directory (its own, removed at dispose, or one the test keeps across restarts),
/// the settings it starts with, every log line in <see cref="Logs"/>, and the rule that an Error or Critical line the
/// test did not declare in <see cref="AllowedErrors"/> fails the test when the host is disposed.
/// </summary>
public abstract class TestHost : IAsyncDisposable
{
    private readonly TempDir? _ownedDir;
    private bool _disposed;

    /// <param name="dataDir">The test's own directory (kept, e.g. across a restart), or null for a fresh one removed at dispose.</param>
    /// <param name="prefix">The name prefix of a fresh directory under /tmp.</param>
    protected TestHost(string? dataDir, string prefix)
    {
        if (dataDir is null)
        {
            _ownedDir = new TempDir(prefix);
            dataDir = _ownedDir.Path;
        }

        DataDir = dataDir;
    }

    public string DataDir { get; }

    /// <summary>Every log line of every category at every level (Debug included), for "no secret in logs" assertions.</summary>
    public LogCapture Logs { get; } = new();

    public const string SlateSecondsKey = "Relay:Ingest:SlateSeconds";

    /// <summary>Parts of the Error lines this test provokes on purpose; any other Error or Critical log fails it at dispose.</summary>
    public List<string> AllowedErrors { get; } = [];

    /// <summary>
    /// The host's defaults with the test's <paramref name="overrides"/> on top: one dictionary of configuration keys,
    /// whether it becomes an in-memory configuration source or a child's command line (<see cref="CommandLine"/>).
    /// </summary>
    protected static Dictionary<string, string?> Settings(IEnumerable<KeyValuePair<string, string?>> defaults, IEnumerable<KeyValuePair<string, string?>>? overrides)
    {
        // SRT's default port (9710) is never bound by a test: a test that wants SRT sets a free UDP port.
        var settings = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase) { ["Relay:Ingest:SrtPort"] = "0" };
        foreach (var (key, value) in defaults)
        {
            settings[key] = value;
        }

        // The slate (issue 17) holds a dropped channel for a minute: tests of what a drop ends would wait for it. Off
        // unless a test turns it on (the slate's own tests, and those of the backup ingest).
        settings.TryAdd(SlateSecondsKey, "0");
        foreach (var (key, value) in overrides ?? [])
        {
            settings[key] = value;
        }

        return settings;
    }

    /// <summary>The settings as <c>--Key=Value</c> arguments, as Relay.Server's command line takes them.</summary>
    protected static IEnumerable<string> CommandLine(IEnumerable<KeyValuePair<string, string?>> settings) =>
        settings.Select(s => $"--{s.Key}={s.Value}");

    /// <summary>Polls <paramref name="ready"/> until it holds; fails with <paramref name="diagnostics"/> after <paramref name="timeout"/> or once <paramref name="gaveUp"/> holds.</summary>
    protected static async Task WaitUntilReadyAsync(Func<Task<bool>> ready, TimeSpan timeout, Func<bool> gaveUp, Func<string> diagnostics)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (!await ready())
        {
            Assert.False(gaveUp(), "the host stopped while starting: " + diagnostics());
            Assert.True(DateTime.UtcNow < deadline, $"the host was not ready within {timeout.TotalSeconds} s: " + diagnostics());
            await Task.Delay(50, TestContext.Current.CancellationToken);
        }
    }

    /// <summary>Stops what the host runs (the data directory is removed after it).</summary>
    protected abstract ValueTask StopAsync();

    /// <summary>
    /// Disposes every host even when one fails its log check, then throws the failures: a test that runs two hosts
    /// (a crash and its restart) stops both and reports both.
    /// </summary>
    public static async ValueTask DisposeAllAsync(params TestHost?[] hosts)
    {
        var failures = new List<Exception>();
        foreach (var host in hosts)
        {
            try
            {
                if (host is not null) await host.DisposeAsync();
            }
            catch (Exception ex)
            {
                failures.Add(ex);
            }
        }

        if (failures.Count == 1) System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(failures[0]);
        if (failures.Count > 1) throw new AggregateException(failures);
    }

    /// <summary>For a start that failed: stops and cleans up without the log check, so the start's own failure is what the test reports.</summary>
    protected async ValueTask AbandonAsync()
    {
        _disposed = true;
        try
        {
            await StopAsync();
        }
        finally
        {
            _ownedDir?.Dispose();
        }
    }

    /// <summary>Stops the host, removes its own data directory, then fails on any Error or Critical line not allowed.</summary>
    public async ValueTask DisposeAsync()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        try
        {
            await StopAsync();
        }
        finally
        {
            _ownedDir?.Dispose();
        }

        GC.SuppressFinalize(this);
        Logs.AssertNoErrors([.. AllowedErrors]);
    }
}
