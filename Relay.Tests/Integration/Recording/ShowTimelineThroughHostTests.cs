using System.Text.Json;
using Microsoft.AspNetCore.SignalR.Client;
using Microsoft.Extensions.DependencyInjection;
using Relay.Chat.Contracts;
using Relay.Ingest.Consumers.Recording;
using Relay.Tests.Common;
using Relay.Tests.Common.Media;
using Relay.Tests.Common.Hosts;
using Relay.Tests.Integration.Hls;

namespace Relay.Tests.Integration.Recording;

/// <summary>The host's pins and flash sales during a live show land in the recording's timeline, in order, at show time.</summary>
[Collection(RealFfmpegCollection.Name)]
public sealed class ShowTimelineThroughHostTests
{
    [Fact]
    public async Task Pins_and_flash_sales_from_the_studio_are_marked_in_the_recording_timeline()
    {
        FfmpegAvailability.SkipIfMissing();
        var ct = TestContext.Current.CancellationToken;
        await using var server = await RelayTestServer.StartAsync();
        var demo = server.Channels.Find("demo")!;
        var recordings = server.App.Services.GetRequiredService<RecordingService>();

        await using var host = new HubConnectionBuilder()
            .WithUrl(new Uri(server.BaseAddress, "/hubs/live"), o => o.AccessTokenProvider = () => Task.FromResult<string?>(demo.HostKey))
            .AddMessagePackProtocol().Build();
        await host.StartAsync(ct);
        await host.InvokeAsync<JoinSnapshot>("Join", "demo", new JoinOptions { DisplayName = "Host" }, ct);

        using (FfmpegPublisher.Start($"rtmp://127.0.0.1:{server.RtmpPort}/live/{demo.StreamKey}", seconds: 30))
        {
            await HlsPlaybackTests.WaitUntilAsync(() => recordings.List("demo") is [{ InProgress: true }], TimeSpan.FromSeconds(15), "recording started");
            await Task.Delay(500, ct);
            await host.InvokeAsync("Pin", "MUG-002", ct);
            await Task.Delay(700, ct);
            await host.InvokeAsync("StartFlashSale", new FlashSaleRequest { Sku = "MUG-002", PriceCents = 999, Quantity = 5, DurationSeconds = 60 }, ct);
            await Task.Delay(300, ct);
            await host.InvokeAsync("EndFlashSale", ct);
            await host.InvokeAsync("Unpin", ct);
        }

        await HlsPlaybackTests.WaitUntilAsync(() => recordings.List("demo") is [{ InProgress: false }], TimeSpan.FromSeconds(15), "recording ended");
        var recording = recordings.List("demo").Single();
        using var admin = server.AdminClient();
        var timeline = JsonDocument.Parse(await admin.GetStringAsync($"/recordings/demo/{recording.TimelineFileName}", ct)).RootElement;
        var markers = timeline.GetProperty("events").EnumerateArray().ToList();
        Assert.Equal(["pinned", "flashSale", "flashSale", "unpinned"], markers.Select(m => m.GetProperty("kind").GetString()));
        var offsets = markers.Select(m => m.GetProperty("offsetSeconds").GetDouble()).ToList();
        Assert.Equal(offsets.Order(), offsets);
        Assert.InRange(offsets[1] - offsets[0], 0.5, 1.5);
        Assert.Equal("MUG-002", markers[0].GetProperty("payload").GetProperty("sku").GetString());
        Assert.Equal(999, markers[1].GetProperty("payload").GetProperty("priceCents").GetInt32());
    }
}
