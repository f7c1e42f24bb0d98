using Relay.Tests.Common.Hosts;

namespace Relay.Tests;

/// <summary>
/// The test assembly's entry point: xunit's own (as the generated one would be), plus <see cref="ChildChatHost.Switch"/>,
/// which runs a chat host as a child process for the kill -9 tests instead of a test posing as one.
/// </summary>
internal static class Program
{
    public static int Main(string[] args)
    {
        if (args is [ChildChatHost.Switch])
            return ChildChatHost.RunAsChildAsync().GetAwaiter().GetResult();
        if (args.Any(arg => arg is "--server" or "--internal-msbuild-node"))
            return Xunit.MicrosoftTestingPlatform.TestPlatformTestFramework.RunAsync(args, SelfRegisteredExtensions.AddSelfRegisteredExtensions).GetAwaiter().GetResult();
        return Xunit.Runner.InProc.SystemConsole.ConsoleRunner.Run(args).GetAwaiter().GetResult();
    }
}
