namespace Relay.Tests.Common.Peers;

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

    /// <summary>This process's live ffmpeg children with their command lines as any local user reads them (/proc/PID/cmdline).</summary>
    public static IReadOnlyList<(int Pid, string CommandLine)> OwnFfmpegChildren()
    {
        var found = new List<(int, string)>();
        var self = Environment.ProcessId.ToString(System.Globalization.CultureInfo.InvariantCulture);
        foreach (var dir in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(dir), out var pid)) continue;
            try
            {
                var cmdline = File.ReadAllText(Path.Combine(dir, "cmdline")).Replace('\0', ' ');
                var stat = File.ReadAllText(Path.Combine(dir, "stat"));
                var parent = stat[(stat.LastIndexOf(')') + 4)..].Split(' ')[0];
                if (parent == self && cmdline.Contains("ffmpeg", StringComparison.Ordinal) && !stat.Contains(") Z ", StringComparison.Ordinal))
                {
                    found.Add((pid, cmdline));
                }
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
            }
        }

        return found;
    }

    /// <summary>TCP sockets this test process still holds to or from the given ports (any state but TIME_WAIT).</summary>
    public static IReadOnlyList<string> OwnSocketsOn(IReadOnlyCollection<int> ports)
    {
        var inodes = new HashSet<string>();
        foreach (var fd in Directory.EnumerateFiles("/proc/self/fd"))
        {
            try
            {
                if (new FileInfo(fd).LinkTarget is { } target && target.StartsWith("socket:[", StringComparison.Ordinal))
                {
                    inodes.Add(target[8..^1]);
                }
            }
            catch (IOException)
            {
            }
        }

        var found = new List<string>();
        foreach (var table in new[] { "/proc/self/net/tcp", "/proc/self/net/tcp6" })
        {
            if (!File.Exists(table)) continue;
            foreach (var line in File.ReadLines(table).Skip(1))
            {
                var f = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
                if (f.Length < 10 || f[3] == "06" || !inodes.Contains(f[9])) continue;
                var local = Convert.ToInt32(f[1][(f[1].LastIndexOf(':') + 1)..], 16);
                var remote = Convert.ToInt32(f[2][(f[2].LastIndexOf(':') + 1)..], 16);
                if (ports.Contains(local) || ports.Contains(remote)) found.Add($"socket {local}->{remote} state {f[3]}");
            }
        }

        return found;
    }

    public static async Task AssertNoneAsync(params int[] ports)
    {
        // Give killed trees a moment to be reaped and closed sockets a moment to go.
        for (var i = 0; i < 60; i++)
        {
            if (ports.All(p => ProcessesMentioning($":{p}").Count == 0) && PeerProcess.Running.Count == 0 && OwnSocketsOn(ports).Count == 0) return;
            await Task.Delay(50);
        }

        var left = ports.SelectMany(p => ProcessesMentioning($":{p}")).Concat(OwnSocketsOn(ports)).ToList();
        Assert.Fail($"left behind: {string.Join("; ", left)} peers: {string.Join(",", PeerProcess.Running)}");
    }
}
