namespace Relay.Tests.Common.Hosts;

/// <summary>
/// The relay's chat module as a separate process (<c>dotnet Relay.Tests.dll --chat-host</c>, see <see cref="Program"/>),
/// for the kill -9 tests: a <see cref="ChatTestHost"/> on the DataDir and order API named by the environment, which writes
/// its address to the ready file, echoes its log lines to stdout (read back into <see cref="TestHost.Logs"/>) and serves
/// until killed. <see cref="StartAsync"/> is the test's side, <see cref="RunAsChildAsync"/> the child's.
/// </summary>
public sealed class ChildChatHost : ChildProcessHost
{
    public const string Switch = "--chat-host";
    public const string DataDirVariable = "RELAY_CHAT_HOST_DATA_DIR";
    public const string EndpointVariable = "RELAY_CHAT_HOST_ORDERS_ENDPOINT";
    public const string ReadyFileVariable = "RELAY_CHAT_HOST_READY_FILE";
    /// <summary>More settings for the child, one <c>key=value</c> a line (the CRM tests').</summary>
    public const string SettingsVariable = "RELAY_CHAT_HOST_SETTINGS";

    private ChildChatHost(string dataDir)
        : base(dataDir, "relay-chat-child")
    {
    }

    public Uri BaseAddress { get; private set; } = null!;

    /// <summary>Starts the child on <paramref name="dataDir"/> (the test keeps it across a restart) and waits for its ready file.</summary>
    public static async Task<ChildChatHost> StartAsync(string dataDir, Uri ordersEndpoint, IReadOnlyDictionary<string, string>? settings = null)
    {
        var ready = Path.Combine(dataDir, $"ready-{Guid.NewGuid():N}");
        var start = DotnetStartInfo(typeof(ChildChatHost).Assembly.Location, [Switch]);
        start.Environment[DataDirVariable] = dataDir;
        start.Environment[EndpointVariable] = ordersEndpoint.ToString();
        start.Environment[ReadyFileVariable] = ready;
        if (settings is not null) start.Environment[SettingsVariable] = string.Join("\n", settings.Select(kv => kv.Key + "=" + kv.Value));
        var host = new ChildChatHost(dataDir);
        host.Start(start);
        try
        {
            await WaitUntilReadyAsync(() => Task.FromResult(File.Exists(ready)), TimeSpan.FromSeconds(60), () => host.HasExited, () => host.Output);
            host.BaseAddress = new Uri(await File.ReadAllTextAsync(ready, TestContext.Current.CancellationToken));
            return host;
        }
        catch
        {
            await host.AbandonAsync();
            throw;
        }
    }

    /// <summary>The child's side: runs the chat host until killed.</summary>
    public static async Task<int> RunAsChildAsync()
    {
        if (Environment.GetEnvironmentVariable(DataDirVariable) is not { } dataDir
            || Environment.GetEnvironmentVariable(EndpointVariable) is not { } endpoint
            || Environment.GetEnvironmentVariable(ReadyFileVariable) is not { } ready)
        {
            await Console.Error.WriteLineAsync($"{Switch} needs {DataDirVariable}, {EndpointVariable} and {ReadyFileVariable}");
            return 2;
        }
        var settings = new Dictionary<string, string?>
        {
            ["Relay:Orders:Endpoint"] = endpoint,
            ["Relay:Orders:TimeoutSeconds"] = "120",
            ["Relay:Orders:MaxAttempts"] = "1000",
            ["Relay:Orders:InitialBackoffMilliseconds"] = "20",
            ["Relay:Orders:MaxBackoffSeconds"] = "0.1",
            ["Relay:Orders:DispatchParallelism"] = "16",
        };
        foreach (var line in (Environment.GetEnvironmentVariable(SettingsVariable) ?? "").Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            var eq = line.IndexOf('=', StringComparison.Ordinal);
            settings[line[..eq]] = line[(eq + 1)..];
        }
        await using var host = await ChatTestHost.StartAsync(settings, dataDir: dataDir, echoLogs: Console.Out);
        await File.WriteAllTextAsync(ready + ".tmp", host.BaseAddress.ToString());
        File.Move(ready + ".tmp", ready);
        // Serve until killed: the tests end this process with SIGKILL.
        await Task.Delay(Timeout.Infinite);
        return 0;
    }
}
