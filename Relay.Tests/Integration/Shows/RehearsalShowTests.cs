using System.Net.Http.Json;
using System.Text.Json;
using Relay.Tests.Common;
using Relay.Tests.Common.Hosts;
using Relay.Tests.Common.Media;

namespace Relay.Tests.Integration.Shows;

/// <summary>A rehearsal is not a show: a private publish leaves no show behind; switching rehearsal off starts one.</summary>
public sealed class RehearsalShowTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task A_rehearsal_leaves_no_show_and_going_live_from_it_starts_one()
    {
        FfmpegAvailability.SkipIfMissing();
        await using var server = await RelayTestServer.StartAsync("--Relay:Shows:SampleSeconds=1");
        var demo = server.Channels.Find("demo")!;
        using var admin = server.AdminClient();
        async Task<JsonElement> ShowsAsync() => JsonDocument.Parse(await admin.GetStringAsync("/api/v1/channels/demo/shows", Ct)).RootElement;
        async Task<JsonElement> ChannelAsync() => JsonDocument.Parse(await admin.GetStringAsync("/api/v1/channels/demo", Ct)).RootElement;
        static int Count(JsonElement list) => list.ValueKind == JsonValueKind.Array ? list.GetArrayLength() : list.GetProperty("items").GetArrayLength();

        using (var patch = await admin.PatchAsync("/api/v1/channels/demo", JsonContent.Create(new { rehearsal = true }), Ct))
            Assert.Equal(System.Net.HttpStatusCode.OK, patch.StatusCode);

        // A whole rehearsal (several sample intervals), then OBS stops: nothing recorded as a show.
        using (var rehearsal = FfmpegPublisher.Start($"rtmp://127.0.0.1:{server.RtmpPort}/live/{demo.StreamKey}", seconds: 4))
        {
            await Eventually.TrueAsync(async () => (await ChannelAsync()).GetProperty("ingest").ValueKind == JsonValueKind.Object, "the rehearsal publish", TimeSpan.FromSeconds(30), Ct);
            await rehearsal.WaitForExitAsync(TimeSpan.FromSeconds(30));
        }
        await Eventually.TrueAsync(async () => (await ChannelAsync()).GetProperty("ingest").ValueKind == JsonValueKind.Null, "the rehearsal to end", TimeSpan.FromSeconds(30), Ct);
        Assert.Equal(0, Count(await ShowsAsync()));

        // OBS again, then rehearsal off while it streams: that is the show.
        using var live = FfmpegPublisher.Start($"rtmp://127.0.0.1:{server.RtmpPort}/live/{demo.StreamKey}", seconds: 30);
        await Eventually.TrueAsync(async () => (await ChannelAsync()).GetProperty("ingest").ValueKind == JsonValueKind.Object, "the second publish", TimeSpan.FromSeconds(30), Ct);
        Assert.Equal(0, Count(await ShowsAsync()));
        using (var patch = await admin.PatchAsync("/api/v1/channels/demo", JsonContent.Create(new { rehearsal = false }), Ct))
            Assert.Equal(System.Net.HttpStatusCode.OK, patch.StatusCode);
        await Eventually.TrueAsync(async () => Count(await ShowsAsync()) == 1, "one show once the channel is public", TimeSpan.FromSeconds(30), Ct);
    }
}
