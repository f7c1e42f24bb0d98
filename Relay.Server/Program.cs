using Relay.Server.Hosting;

try
{
    await using var app = await RelayHost.StartAsync(args, Console.Out, CancellationToken.None);
    await app.WaitForShutdownAsync();
    return 0;
}
catch (Exception e) when (StartupErrors.Describe(e) is { } lines)
{
    // One clear line per problem, no stack trace: the operator fixes configuration, not code.
    foreach (var line in lines)
    {
        Console.Error.WriteLine($"relay: configuration error: {line}");
    }
    return 2;
}

public partial class Program;
