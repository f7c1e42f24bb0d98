using System.Diagnostics;
using Relay.Tests.Common.Media;

namespace Relay.Tests.Common.Peers;

/// <summary>
/// One destination of a live egress test watched end to end, the way the "the others never notice" tests judge it: an
/// ffmpeg player on its sink recording what arrives, Relay's own writes to it (<see cref="WireGapMonitor"/>) and the
/// source's lateness, all on one clock. Started once the sink has played a keyframe; disposing stops all three.
/// </summary>
public sealed class WatchedDestination : IAsyncDisposable
{
    /// <summary>Largest gap allowed at Relay's socket: what the egress path controls.</summary>
    public const double WireAllowanceMs = 200;

    /// <summary>Largest gap allowed at the sink: end to end, through nginx and an ffmpeg player whose own interleaving
    /// and scheduling on 2 cores add up to ~120 ms.</summary>
    public const double SinkAllowanceMs = 300;

    private readonly ReplaySource _source;

    private WatchedDestination(ReplaySource source, PeerProcess player, FlvSinkRecorder recorder, WireGapMonitor wire) =>
        (_source, Player, Recorder, Wire) = (source, player, recorder, wire);

    public PeerProcess Player { get; }

    public FlvSinkRecorder Recorder { get; }

    public WireGapMonitor Wire { get; }

    /// <summary>Plays <paramref name="playUrl"/> (the sink's copy of the destination's push), paces the source on
    /// <paramref name="clock"/> and returns once the first keyframe arrived.</summary>
    public static async Task<WatchedDestination> StartAsync(ReplaySource source, Stopwatch clock, string channel, string destination, string platform, string playUrl)
    {
        var player = FfmpegPeers.StartPlayer(playUrl);
        var watched = new WatchedDestination(source, player, FfmpegPeers.Record(player, clock, Path.GetTempFileName()), new WireGapMonitor(channel, destination, platform, clock));
        try
        {
            source.UseClock(clock);
            await watched.Recorder.WaitForAsync(t => t.Type == 9 && t.Keyframe, TimeSpan.FromSeconds(10));
            return watched;
        }
        catch
        {
            await watched.DisposeAsync();
            throw;
        }
    }

    /// <summary>
    /// The destination did not stall between the two clock readings: no gap at Relay's socket or at the sink beyond its
    /// allowance, each grown by how late the source itself was.
    /// </summary>
    public void AssertNoStall(string what, double fromMs, double toMs, double wireAllowanceMs = WireAllowanceMs, double sinkAllowanceMs = SinkAllowanceMs)
    {
        var wireGap = Wire.LargestGapMs(fromMs, toMs);
        var sinkGap = Recorder.LargestGapMs(fromMs, toMs);
        var late = _source.MaxLatenessMs(fromMs, toMs);
        TestContext.Current.SendDiagnosticMessage($"{what}: largest gap {wireGap:0} ms at Relay's socket, {sinkGap:0} ms at the sink; source up to {late:0} ms late");
        Assert.True(wireGap <= wireAllowanceMs + late, $"{what}: Relay stopped sending for {wireGap:0} ms");
        Assert.True(sinkGap <= sinkAllowanceMs + late, $"{what}: the sink got nothing for {sinkGap:0} ms");
    }

    public async ValueTask DisposeAsync()
    {
        await Wire.DisposeAsync();
        await Recorder.DisposeAsync();
        await Player.DisposeAsync();
    }
}
