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
