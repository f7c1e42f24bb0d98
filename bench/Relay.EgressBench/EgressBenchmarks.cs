using System.Diagnostics;
using Relay.Ingest.Egress;
using Relay.Tests.Common.Hosts;
using Relay.Tests.Common.Media;
using Relay.Tests.Common.Peers;

namespace Relay.EgressBench;

/// <summary>Measurements for docs/egress.md (bench/run-egress.sh; ~30 s): CPU per destination, native and transcoding.</summary>
public static class EgressBenchmarks
{
    public static async Task Cpu_per_native_destination(CancellationToken ct)
    {
        var clip = await TestClip.LoadAsync();
        await using var nginx = await NginxPeer.StartAsync();
        var (manager, sources, _) = EgressTestHost.Create(EgressTestHost.FastOptions());
        await using (manager)
        {
            await using var source = new ReplaySource(clip);
            sources.SetLive("bench", source);
            await Task.Delay(2000, ct);
            var baseline = await MeasureAsync(TimeSpan.FromSeconds(8), ct);
            var destinations = Enumerable.Range(0, 10)
                .Select(i => new EgressDestination($"d{i}", $"d{i}", "custom", $"rtmp://127.0.0.1:{nginx.RtmpPort}/live", $"bench{i}", true))
                .ToList();
            await manager.ApplyAsync("bench", destinations, ct);
            foreach (var d in destinations) await EgressTestHost.WaitLiveAsync(manager, "bench", d.Id);
            await Task.Delay(1000, ct);
            var loaded = await MeasureAsync(TimeSpan.FromSeconds(8), ct);
            var statuses = manager.GetStatuses("bench");
            var perDestination = (loaded.Cpu - baseline.Cpu) / destinations.Count;
            Console.WriteLine(
                $"relay process CPU: source only {baseline.Cpu:0.00} % of a core, +10 native destinations {loaded.Cpu:0.00} % " +
                $"=> {perDestination:0.000} % per destination at {statuses.Average(s => s.BitrateKbps):0} kbps; managed heap {loaded.HeapMb:0.0} MB vs {baseline.HeapMb:0.0} MB");
            if (statuses.Any(s => s.State != EgressState.Live))
            {
                throw new InvalidOperationException("not every destination stayed live: " + string.Join(", ", statuses.Select(s => $"{s.DestinationId}={s.StateName}")));
            }
        }
    }

    private static async Task<(double Cpu, double HeapMb)> MeasureAsync(TimeSpan window, CancellationToken ct)
    {
        var process = Process.GetCurrentProcess();
        var cpu0 = process.TotalProcessorTime;
        var wall = Stopwatch.StartNew();
        await Task.Delay(window, ct);
        process.Refresh();
        var cpu = (process.TotalProcessorTime - cpu0).TotalMilliseconds / wall.Elapsed.TotalMilliseconds * 100;
        return (cpu, GC.GetTotalMemory(false) / 1048576.0);
    }

    public static async Task Cpu_of_a_transcoding_destination(CancellationToken ct)
    {
        var clip = await TestClip.LoadAsync();
        await using var nginx = await NginxPeer.StartAsync();
        var (manager, sources, _) = EgressTestHost.Create(EgressTestHost.FastOptions());
        await using (manager)
        {
            await using var source = new ReplaySource(clip);
            sources.SetLive("bench", source);
            var profile = new EgressProfile(VideoBitrateKbps: 2500, MaxWidth: 720, MaxHeight: 1280, Fps: 30, KeyframeIntervalSeconds: 2, Aspect: "9:16", AudioBitrateKbps: 96);
            await manager.ApplyAsync("bench", [new("t", "t", "tiktok", $"rtmp://127.0.0.1:{nginx.RtmpPort}/live", "benchkey", true, profile)], ct);
            await EgressTestHost.WaitLiveAsync(manager, "bench", "t", 15);
            await Task.Delay(2000, ct);
            // The transcoder writes FLV to a pipe for the native pusher, so its command line never names the destination.
            var pid = Leftovers.OwnFfmpegChildren().Single().Pid;
            var ticks0 = ProcessTicks(pid);
            var wall = Stopwatch.StartNew();
            await Task.Delay(8000, ct);
            var cpu = (ProcessTicks(pid) - ticks0) * 10.0 / wall.Elapsed.TotalMilliseconds * 100; // 100 Hz clock ticks
            var rssMb = File.ReadLines($"/proc/{pid}/status").First(l => l.StartsWith("VmRSS:", StringComparison.Ordinal)).Split(' ', StringSplitOptions.RemoveEmptyEntries)[1];
            Console.WriteLine($"transcoding ffmpeg (640x360 -> 202x360 9:16, 2500k, libx264 veryfast): {cpu:0.0} % of a core, RSS {int.Parse(rssMb) / 1024.0:0} MB, status {manager.GetStatus("bench", "t").BitrateKbps:0} kbps in");
        }
    }

    private static long ProcessTicks(int pid)
    {
        var stat = File.ReadAllText($"/proc/{pid}/stat");
        var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
        return long.Parse(fields[11]) + long.Parse(fields[12]); // utime + stime
    }
}
