using System.Diagnostics;
using Relay.Ingest.Egress;
using Relay.Tests.Common.Hosts;
using Relay.Tests.Common.Media;
using Relay.Tests.Common.Peers;
using Relay.Tests.Common;

namespace Relay.Tests.Faults;

/// <summary>
/// kill -9 of the ffmpeg behind a transcoding destination while a pass-through destination of the same channel
/// pushes natively: the transcoding one is restarted with a new ffmpeg and goes live again; the other never
/// notices. (kill -9 of a destination's server is EgressManagerTests.A_refused_key_and_a_killed_sink_...; a frozen
/// server is EgressManagerTests.A_sink_that_stops_reading_is_dropped_as_stalled_...)
/// </summary>
[Trait("Category", "Faults")]
[Collection("egress-peers")]
public sealed class EgressFfmpegKillTests : IAsyncDisposable
{
    private const string Channel = "ch1";
    private readonly int _portMark = FreePort.Mark;

    public async ValueTask DisposeAsync() => await Leftovers.AssertNoneAsync(FreePort.Since(_portMark));

    [Fact]
    public async Task Killing_a_transcoding_destinations_ffmpeg_restarts_it_and_leaves_the_pass_through_destination_flowing()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var passThroughSink = await NginxPeer.StartAsync();
        await using var transcodeSink = await NginxPeer.StartAsync();
        var options = EgressTestHost.FastOptions();
        options.FailuresBeforeFailed = 50;
        var profile = new EgressProfile(VideoBitrateKbps: 800, MaxWidth: 360, MaxHeight: 640, Fps: 30, KeyframeIntervalSeconds: 2, Aspect: "9:16", AudioBitrateKbps: 64);
        await using var live = await LiveEgressChannel.StartAsync(options, Channel,
        [
            new("native", "native", "custom", $"rtmp://127.0.0.1:{passThroughSink.RtmpPort}/live", "nk", true),
            new("vertical", "vertical", "tiktok", $"rtmp://127.0.0.1:{transcodeSink.RtmpPort}/live", "vk", true, profile),
        ], seconds: 15);
        var (manager, logs, clock) = (live.Manager, live.Logs, live.Clock);
        var egress = TranscoderFfmpegs();
        Assert.True(egress.Count == 1, $"expected one transcoding ffmpeg, found {egress.Count}");

        await using var native = await live.WatchAsync("native", "custom", $"rtmp://127.0.0.1:{passThroughSink.RtmpPort}/live/nk");
        await Task.Delay(500, ct);
        var nativeDropsBefore = manager.GetStatus(Channel, "native").DroppedFrames;
        var reconnectsBefore = manager.GetStatus(Channel, "vertical").Reconnects;

        var killedAt = clock.Elapsed.TotalMilliseconds;
        // From outside, as an operator or the OOM killer would: Process.GetProcessById(pid).Kill() in this process
        // would register a second, non-child wait state for Relay's own child and hide its exit code from Relay.
        using (var kill = Process.Start(new ProcessStartInfo("kill", $"-KILL {egress[0]}") { UseShellExecute = false })!)
        {
            await kill.WaitForExitAsync(ct);
        }

        EgressDestinationStatus back;
        try
        {
            back = await EgressTestHost.WaitForStateAsync(manager, Channel, "vertical",
                s => s.State == EgressState.Live && s.Reconnects > reconnectsBefore, TimeSpan.FromSeconds(15));
        }
        catch (TimeoutException ex)
        {
            throw new TimeoutException(ex.Message + "\n" + string.Join("\n", logs.Lines.Where(l => l.Contains("Exception", StringComparison.Ordinal) || l.Contains("vertical", StringComparison.Ordinal)).TakeLast(15)));
        }

        var restarted = TranscoderFfmpegs();
        Assert.Single(restarted);
        Assert.NotEqual(egress[0], restarted[0]);
        TestContext.Current.SendDiagnosticMessage($"transcode destination live again {clock.Elapsed.TotalMilliseconds - killedAt:0} ms after the kill ({back.LastError})");
        await Task.Delay(1000, ct);
        var end = clock.Elapsed.TotalMilliseconds;

        native.AssertNoStall("pass-through destination while the transcoder's ffmpeg was killed", killedAt, end);
        Assert.Equal(EgressState.Live, manager.GetStatus(Channel, "native").State);
        Assert.Equal(0, manager.GetStatus(Channel, "native").Reconnects);
        Assert.Equal(nativeDropsBefore, manager.GetStatus(Channel, "native").DroppedFrames);
        await manager.StopChannelAsync(Channel);
        // The kill is an ordinary process exit to the supervisor, never a crash of its loop (the bug this test found).
        Assert.DoesNotContain(logs.Lines, l => l.Contains("loop crashed", StringComparison.Ordinal));
    }

    /// <summary>
    /// This process's transcoding ffmpeg children (FLV in on stdin, out on stdout: the native pusher publishes). The
    /// collection runs alone, so no other test's transcoder is about. Their command lines name no destination at all.
    /// </summary>
    private static List<int> TranscoderFfmpegs()
    {
        var found = new List<int>();
        var self = Environment.ProcessId.ToString(System.Globalization.CultureInfo.InvariantCulture);
        foreach (var dir in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(dir), out var pid)) continue;
            try
            {
                var cmdline = File.ReadAllText(Path.Combine(dir, "cmdline")).Replace('\0', ' ');
                var stat = File.ReadAllText(Path.Combine(dir, "stat"));
                var parent = stat[(stat.LastIndexOf(')') + 4)..].Split(' ')[0];
                if (parent == self && cmdline.Contains("ffmpeg", StringComparison.Ordinal) && cmdline.Contains("-i pipe:0", StringComparison.Ordinal)
                    && cmdline.Contains("pipe:1", StringComparison.Ordinal) && !stat.Contains(") Z ", StringComparison.Ordinal))
                {
                    Assert.DoesNotContain("rtmp", cmdline, StringComparison.Ordinal);
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
