using Relay.Ingest.Egress;
using Relay.Ingest.Egress.Diagnostics;
using Relay.Tests.Common;
using Relay.Tests.Common.Hosts;
using Relay.Tests.Common.Media;
using Relay.Tests.Common.Peers;

namespace Relay.Tests.Integration.Egress;

/// <summary>
/// A host key cannot make the node re-encode without bound (review finding M9): past the per-channel or per-node
/// transcode budget a destination is failed with the reason, while pass-through destinations are untouched. Real
/// manager, real pusher factory and real ffmpeg transcoders (pushing at a closed port, so they retry).
/// </summary>
[Collection("egress-peers")]
public sealed class TranscodeBudgetTests
{
    private static readonly EgressProfile Vertical = new(VideoBitrateKbps: 800, MaxWidth: 360, MaxHeight: 640, Fps: 30);

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task A_transcoding_destination_past_the_per_channel_budget_is_failed_with_the_reason_and_gets_a_freed_slot_at_the_next_apply()
    {
        var options = EgressTestHost.FastOptions();
        options.MaxTranscodesPerChannel = 2;
        options.MaxTranscodes = 10;
        await using var managerHost = EgressTestHost.Create(options);
        // The refused transcode is failed (an Error line, the point of the test); the others push to a dead port until failed.
        managerHost.AllowedErrors.AddRange(["transcode budget exceeded", "failures in a row: connection refused"]);
        var (manager, sources, _) = managerHost;
        await using (manager)
        {
            await using var source = new ReplaySource(await TestClip.LoadAsync());
            sources.SetLive("ch1", source);
            var refusedBefore = EgressMetrics.TranscodesRefused.Value;
            var port = FreePort.Next(); // nothing listens: the pushes connect, fail and retry
            EgressDestination T(string id, EgressProfile? profile = null) => new(id, id, "custom", $"rtmp://127.0.0.1:{port}/live", "k-" + id, true, profile ?? Vertical);
            var plain = new EgressDestination("plain", "plain", "custom", $"rtmp://127.0.0.1:{port}/live", "k-plain", true);

            await manager.ApplyAsync("ch1", [T("t1"), T("t2"), T("t3"), plain], Ct);
            var third = manager.GetStatus("ch1", "t3");
            Assert.Equal(EgressState.Failed, third.State);
            Assert.Contains("transcode budget exceeded", third.LastError);
            Assert.Contains("Relay:Egress:MaxTranscodesPerChannel = 2", third.LastError);
            Assert.NotEqual(EgressState.Failed, manager.GetStatus("ch1", "t1").State);
            Assert.NotEqual(EgressState.Failed, manager.GetStatus("ch1", "t2").State);
            Assert.NotEqual(EgressState.Failed, manager.GetStatus("ch1", "plain").State);
            Assert.Equal(refusedBefore + 1, EgressMetrics.TranscodesRefused.Value);

            // Editing a running transcode keeps its slot (it restarts in place)...
            await manager.ApplyAsync("ch1", [T("t1", Vertical with { VideoBitrateKbps = 600 }), T("t2"), T("t3"), plain], Ct);
            Assert.NotEqual(EgressState.Failed, manager.GetStatus("ch1", "t1").State);
            Assert.Equal(EgressState.Failed, manager.GetStatus("ch1", "t3").State);

            // ...and removing one frees a slot that the parked destination takes at the next apply.
            await manager.ApplyAsync("ch1", [T("t2"), T("t3"), plain], Ct);
            Assert.NotEqual(EgressState.Failed, manager.GetStatus("ch1", "t3").State);
            await manager.ApplyAsync("ch1", [], Ct);
        }
    }

    [Fact]
    public async Task The_node_budget_spans_channels()
    {
        var options = EgressTestHost.FastOptions();
        options.MaxTranscodesPerChannel = 2;
        options.MaxTranscodes = 1;
        await using var managerHost = EgressTestHost.Create(options);
        managerHost.AllowedErrors.AddRange(["transcode budget exceeded", "failures in a row: connection refused"]);
        var (manager, sources, _) = managerHost;
        await using (manager)
        {
            var clip = await TestClip.LoadAsync();
            await using var one = new ReplaySource(clip, "ch1");
            await using var two = new ReplaySource(clip, "ch2");
            sources.SetLive("ch1", one);
            sources.SetLive("ch2", two);
            var port = FreePort.Next();
            await manager.ApplyAsync("ch1", [new("t", "t", "custom", $"rtmp://127.0.0.1:{port}/live", "k1", true, Vertical)], Ct);
            await manager.ApplyAsync("ch2", [new("t", "t", "custom", $"rtmp://127.0.0.1:{port}/live", "k2", true, Vertical)], Ct);
            Assert.NotEqual(EgressState.Failed, manager.GetStatus("ch1", "t").State);
            var refused = manager.GetStatus("ch2", "t");
            Assert.Equal(EgressState.Failed, refused.State);
            Assert.Contains("Relay:Egress:MaxTranscodes = 1", refused.LastError);
            await manager.ApplyAsync("ch1", [], Ct);
            await manager.ApplyAsync("ch2", [], Ct);
        }
    }

    [Fact]
    public void Budget_options_are_validated()
    {
        var result = new EgressOptionsValidator().Validate(null, new EgressOptions { MaxTranscodesPerChannel = -1, MaxTranscodes = -2 });
        Assert.True(result.Failed);
        Assert.Contains("Relay:Egress:MaxTranscodesPerChannel", result.FailureMessage);
        Assert.Contains("Relay:Egress:MaxTranscodes ", result.FailureMessage);
        Assert.Equal(Environment.ProcessorCount, new EgressOptions().EffectiveMaxTranscodes);
    }
}
