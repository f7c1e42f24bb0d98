using System.Diagnostics;
using Relay.Ingest.Egress;
using Relay.Tests.Common;
using Relay.Tests.Common.Hosts;
using Relay.Tests.Common.Media;
using Relay.Tests.Common.Peers;

namespace Relay.Tests.Faults;

/// <summary>
/// Review finding H1 as a soak: a destination server that floods AMF commands once the publish started (about 2 MB/s,
/// alternating 64 KiB strict arrays of 60,000 nulls and commands that decode within the caps) must not grow the
/// relay's memory, and the channel's other destination (nginx-rtmp, watched by an ffmpeg player) must not notice.
/// Measured alone (<see cref="FaultsSerialCollection"/>): the footprint is this process's, where the egress runs.
/// Before the fix every such command stayed queued for the whole push, ~8x its bytes once decoded, so the heap grew
/// by ~15 MB/s until the process ran out of memory.
/// </summary>
[Trait("Category", "Faults")]
[Collection(FaultsSerialCollection.Name)]
public sealed class HostileDestinationSoakTests : IAsyncDisposable
{
    private const string Channel = "ch1";
    private const long FloodBytesPerSecond = 2_000_000;

    /// <summary>Heap growth the flood may cause (GC noise, the player's recorded tags); the old queue passed it within seconds.</summary>
    private const long ManagedTolerance = 16L * 1024 * 1024;

    /// <summary>RSS moves with the GC's own sizing decisions; a leak at the old rate passes this in seconds too.</summary>
    private const long ResidentTolerance = 64L * 1024 * 1024;

    private readonly int _portMark = FreePort.Mark;

    public async ValueTask DisposeAsync() => await Leftovers.AssertNoneAsync(FreePort.Since(_portMark));

    [Fact]
    public async Task A_destination_flooding_AMF_commands_after_publish_keeps_memory_flat_and_the_other_destination_gapless()
    {
        // 60 s of flood in CI; RELAY_FAULTS_SCALE=10 makes it 10 minutes.
        var soak = TimeSpan.FromSeconds(FaultScale.Of(60));
        var ct = TestContext.Current.CancellationToken;
        var output = TestContext.Current.TestOutputHelper;
        await using var nginx = await NginxPeer.StartAsync();
        await using var hostile = new HostileRtmpServer(FloodBytesPerSecond);
        var options = EgressTestHost.FastOptions();
        options.FailuresBeforeFailed = 50;
        await using var live = await LiveEgressChannel.StartAsync(options, Channel,
        [
            new("good", "good", "custom", $"rtmp://127.0.0.1:{nginx.RtmpPort}/live", "goodkey", true),
            new("evil", "evil", "custom", $"rtmp://127.0.0.1:{hostile.Port}/live", "evilkey", true),
        ]);
        var (manager, source, clock) = (live.Manager, live.Source, live.Clock);
        await using var watched = await live.WatchAsync("good", "custom", $"rtmp://127.0.0.1:{nginx.RtmpPort}/live/goodkey");

        // Warm-up: pools, JIT and the GC's first sizing under this load are not growth.
        var floodStart = hostile.FloodedBytes;
        await Task.Delay(5000, ct);
        var before = ProcessFootprint.Take();
        var rssBefore = ProcessFootprint.ResidentBytes();
        var from = clock.Elapsed.TotalMilliseconds;
        var floodedBefore = hostile.FloodedBytes;
        var reconnectsBefore = manager.GetStatus(Channel, "good").Reconnects;
        var dropsBefore = manager.GetStatus(Channel, "good").DroppedFrames;
        output?.WriteLine($"after warm-up: {before}, RSS {rssBefore / 1024 / 1024.0:F1} MiB; flood so far {(floodedBefore - floodStart) / 1024 / 1024.0:F1} MiB");

        var end = clock.Elapsed + soak;
        var peakManaged = before.ManagedBytes;
        var peakRss = rssBefore;
        while (clock.Elapsed < end)
        {
            await Task.Delay(5000, ct);
            var now = ProcessFootprint.Take();
            var rss = ProcessFootprint.ResidentBytes();
            peakManaged = Math.Max(peakManaged, now.ManagedBytes);
            peakRss = Math.Max(peakRss, rss);
            output?.WriteLine($"{(clock.Elapsed.TotalMilliseconds - from) / 1000:0} s: {now}, RSS {rss / 1024 / 1024.0:F1} MiB, flooded {(hostile.FloodedBytes - floodedBefore) / 1024 / 1024.0:F1} MiB");
            // Fail fast: a growing relay would otherwise take this test process down with it.
            Assert.True(now.ManagedBytes - before.ManagedBytes <= 4 * ManagedTolerance,
                $"managed heap grew {(now.ManagedBytes - before.ManagedBytes) / 1024 / 1024} MiB after {(hostile.FloodedBytes - floodedBefore) / 1024 / 1024} MiB of hostile commands");
        }

        var to = clock.Elapsed.TotalMilliseconds;
        var after = ProcessFootprint.Take();
        var rssAfter = ProcessFootprint.ResidentBytes();
        var flooded = hostile.FloodedBytes - floodedBefore;
        var late = source.MaxLatenessMs(from, to);
        var wireGap = watched.Wire.LargestGapMs(from, to);
        var sinkGap = watched.Recorder.LargestGapMs(from, to);
        var summary = $"{soak.TotalSeconds:0} s, {flooded / 1024 / 1024} MiB of hostile commands ({hostile.Connections} connection(s)): " +
            $"managed {before.ManagedBytes / 1024 / 1024.0:F1} -> {after.ManagedBytes / 1024 / 1024.0:F1} MiB (peak {peakManaged / 1024 / 1024.0:F1}), " +
            $"RSS {rssBefore / 1024 / 1024.0:F1} -> {rssAfter / 1024 / 1024.0:F1} MiB (peak {peakRss / 1024 / 1024.0:F1}); " +
            $"good destination: largest gap {wireGap:0} ms at Relay's socket, {sinkGap:0} ms at the sink, source up to {late:0} ms late";
        output?.WriteLine(summary);
        TestContext.Current.SendDiagnosticMessage(summary);

        // The flood really ran the whole time: the relay kept reading it (a relay that stopped reading would be safe
        // for the wrong reason, and the server's writes would block).
        Assert.True(flooded >= FloodBytesPerSecond * soak.TotalSeconds / 2, $"only {flooded} bytes of hostile commands were taken in {soak.TotalSeconds} s");
        Assert.True(after.ManagedBytes - before.ManagedBytes <= ManagedTolerance, $"managed heap grew: {summary}");
        Assert.True(rssAfter - rssBefore <= ResidentTolerance, $"RSS grew: {summary}");

        // The other destination never noticed: no reconnect, no drop, frames kept arriving. Gaps allow for the
        // flood's CPU on 2 shared cores (the defaults, 200/300 ms, hold without one) and the source's lateness.
        var good = manager.GetStatus(Channel, "good");
        Assert.Equal(EgressState.Live, good.State);
        Assert.Equal(reconnectsBefore, good.Reconnects);
        Assert.Equal(dropsBefore, good.DroppedFrames);
        watched.AssertNoStall("the good destination during the flood", from, to, wireAllowanceMs: 500, sinkAllowanceMs: 1000);
        Assert.False(watched.Player.Process.HasExited, "the player of the good destination stopped");
        await manager.StopChannelAsync(Channel);
    }
}
