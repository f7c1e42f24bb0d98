namespace Relay.Tests.Egress.Harness;

/// <summary>Finds processes a test may have left behind, by a marker in their command line (e.g. a sink's port).</summary>
public static class Leftovers
{
    public static IReadOnlyList<string> ProcessesMentioning(string marker)
    {
        var found = new List<string>();
        foreach (var dir in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(dir), out var pid) || pid == Environment.ProcessId) continue;
            try
            {
                var cmdline = File.ReadAllText(Path.Combine(dir, "cmdline")).Replace('\0', ' ');
                var stat = File.ReadAllText(Path.Combine(dir, "stat"));
                if (cmdline.Contains(marker, StringComparison.Ordinal) && !stat.Contains(") Z ", StringComparison.Ordinal))
                {
                    found.Add($"{pid}: {cmdline}");
                }
            }
            catch (IOException)
            {
            }
            catch (UnauthorizedAccessException)
            {
            }
        }

        return found;
    }

    public static async Task AssertNoneAsync(params int[] ports)
    {
        // Give killed trees a moment to be reaped.
        for (var i = 0; i < 40; i++)
        {
            if (ports.All(p => ProcessesMentioning($":{p}").Count == 0) && PeerProcess.Running.Count == 0) return;
            await Task.Delay(50);
        }

        var left = ports.SelectMany(p => ProcessesMentioning($":{p}")).ToList();
        Assert.Fail($"left behind: {string.Join("; ", left)} peers: {string.Join(",", PeerProcess.Running)}");
    }
}
