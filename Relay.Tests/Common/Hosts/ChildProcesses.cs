using System.Collections.Concurrent;
using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Relay.Ingest;
using Relay.Ingest.Consumers;
using Relay.Ingest.Configuration;
using Relay.Ingest.Ffmpeg;
using Relay.Ingest.Consumers.HttpFlv;
using Relay.Ingest.Publishing;
using Relay.Ingest.Streams;
using Relay.Tests.Common.Media;

namespace Relay.Tests.Common.Hosts;

internal static class ChildProcesses
{
    /// <summary>PIDs of live processes carrying the registry's owner marker (Linux /proc).</summary>
    public static IReadOnlyList<int> WithOwnerMarker(string marker)
    {
        var found = new List<int>();
        if (!OperatingSystem.IsLinux())
        {
            return found;
        }

        foreach (var dir in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(dir), out var pid))
            {
                continue;
            }

            try
            {
                if (File.ReadAllText(Path.Combine(dir, "environ")).Contains($"RELAY_FFMPEG_OWNER={marker}", StringComparison.Ordinal)
                    && !File.ReadAllText(Path.Combine(dir, "stat")).Contains(") Z ", StringComparison.Ordinal))
                {
                    found.Add(pid);
                }
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
            }
        }

        return found;
    }
}
