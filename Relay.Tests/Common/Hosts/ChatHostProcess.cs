namespace Relay.Tests.Common.Hosts;

/// <summary>
/// The relay's chat module as a separate process (<c>dotnet Relay.Tests.dll --chat-host</c>, see <see cref="Program"/>),
/// for the kill -9 tests: a <see cref="ChatTestHost"/> on the DataDir and order API named by the environment, which writes
/// its address to the ready file and serves until killed.
/// </summary>
public static class ChatHostProcess
{
    public const string Switch = "--chat-host";
    public const string DataDirVariable = "RELAY_CHAT_HOST_DATA_DIR";
    public const string EndpointVariable = "RELAY_CHAT_HOST_ORDERS_ENDPOINT";
    public const string ReadyFileVariable = "RELAY_CHAT_HOST_READY_FILE";

    public static async Task<int> RunAsync()
    {
        if (Environment.GetEnvironmentVariable(DataDirVariable) is not { } dataDir
            || Environment.GetEnvironmentVariable(EndpointVariable) is not { } endpoint
            || Environment.GetEnvironmentVariable(ReadyFileVariable) is not { } ready)
        {
            await Console.Error.WriteLineAsync($"{Switch} needs {DataDirVariable}, {EndpointVariable} and {ReadyFileVariable}");
            return 2;
        }
        await using var host = await ChatTestHost.StartAsync(new Dictionary<string, string?>
        {
            ["Relay:Orders:Endpoint"] = endpoint,
            ["Relay:Orders:TimeoutSeconds"] = "120",
            ["Relay:Orders:MaxAttempts"] = "1000",
            ["Relay:Orders:InitialBackoffMilliseconds"] = "20",
            ["Relay:Orders:MaxBackoffSeconds"] = "0.1",
            ["Relay:Orders:DispatchParallelism"] = "16",
        }, dataDir: dataDir);
        await File.WriteAllTextAsync(ready + ".tmp", host.BaseAddress.ToString());
        File.Move(ready + ".tmp", ready);
        // Serve until killed: the tests end this process with SIGKILL.
        await Task.Delay(Timeout.Infinite);
        return 0;
    }
}
