using System.Diagnostics;

namespace Relay.Tests.Faults;

/// <summary>What this process holds: open descriptors, OS threads, managed heap after a full collection.</summary>
internal sealed record ProcessFootprint(int Handles, int Threads, long ManagedBytes)
{
    public static ProcessFootprint Take()
    {
        // Twice: finalizers run by the first collection free what the second one then reclaims (sockets, pipes).
        for (var i = 0; i < 2; i++)
        {
            GC.Collect();
            GC.WaitForPendingFinalizers();
        }

        using var self = Process.GetCurrentProcess();
        return new ProcessFootprint(Directory.GetFiles("/proc/self/fd").Length, self.Threads.Count, GC.GetTotalMemory(forceFullCollection: true));
    }

    /// <summary>Resident set size of this process (VmRSS), what the operating system sees the relay hold.</summary>
    public static long ResidentBytes()
    {
        var line = File.ReadLines("/proc/self/status").First(l => l.StartsWith("VmRSS:", StringComparison.Ordinal));
        return long.Parse(line["VmRSS:".Length..].Trim().Split(' ')[0], System.Globalization.CultureInfo.InvariantCulture) * 1024;
    }

    /// <summary>
    /// Waits (up to 20 s) for the footprint to come back within the tolerances: sockets in TIME_WAIT are not ours,
    /// but Kestrel and SignalR release connection state asynchronously, and the thread pool retires idle threads
    /// only after its own timeout.
    /// </summary>
    public static async Task<ProcessFootprint> SettleWithinAsync(ProcessFootprint before, int handles, int threads, long bytes)
    {
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (true)
        {
            var now = Take();
            if ((now.Handles <= before.Handles + handles && now.Threads <= before.Threads + threads && now.ManagedBytes <= before.ManagedBytes + bytes)
                || DateTime.UtcNow > deadline)
            {
                return now;
            }

            await Task.Delay(500);
        }
    }

    public override string ToString() => $"{Handles} fds, {Threads} threads, {ManagedBytes / 1024 / 1024.0:F1} MiB managed";
}
