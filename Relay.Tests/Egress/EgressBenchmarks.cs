using System.Diagnostics;
using Relay.Ingest.Egress;
using Relay.Tests.Egress.Harness;

namespace Relay.Tests.Egress;

/// <summary>Measurements for the docs; run with RELAY_EGRESS_BENCH=1 (they take ~30 s and assert only sanity).</summary>
[Collection("egress-peers")]
public sealed class EgressBenchmarks
{
    [Fact]
    public async Task Cpu_per_native_destination()
    {
        if (Environment.GetEnvironmentVariable("RELAY_EGRESS_BENCH") != "1")
        {
            Assert.Skip("set RELAY_EGRESS_BENCH=1 to measure");
        }

        var clip = await TestClip.LoadAsync();
        var ct = TestContext.Current.CancellationToken;
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
            TestContext.Current.SendDiagnosticMessage(
                $"relay process CPU: source only {baseline.Cpu:0.00} % of a core, +10 native destinations {loaded.Cpu:0.00} % " +
                $"=> {perDestination:0.000} % per destination at {statuses.Average(s => s.BitrateKbps):0} kbps; managed heap {loaded.HeapMb:0.0} MB vs {baseline.HeapMb:0.0} MB");
            Assert.All(statuses, s => Assert.Equal(EgressState.Live, s.State));
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
}
