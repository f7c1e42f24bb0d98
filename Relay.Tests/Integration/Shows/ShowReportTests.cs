using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.SignalR.Client;
using Microsoft.Extensions.DependencyInjection;
using Relay.Chat.Contracts;
using Relay.Tests.Common.Chat;
using Relay.Tests.Common.Hosts;
using Relay.Tests.Common.Media;

namespace Relay.Tests.Integration.Shows;

/// <summary>
/// A show through the real host: ffmpeg publishes, guests of both hub protocols join (one of them twice), chat and buy
/// through a scripted order API that refuses one order (left out of the report), the host pins and runs a flash sale,
/// one destination pushes to a second channel of the same Relay; after the unpublish the report says exactly what
/// happened, in JSON and in CSV.
/// </summary>
[Collection(RealFfmpegCollection.Name)]
public sealed class ShowReportTests
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task The_report_counts_exactly_what_happened_during_the_show_and_the_csv_says_the_same()
    {
        FfmpegAvailability.SkipIfMissing();
        var ct = TestContext.Current.CancellationToken;
        // The brand's order service refuses v3's order: it fails, and a failed order is no sale.
        await using var orderApi = await ScriptedOrderApi.StartAsync();
        orderApi.Script = call => call.Order.BuyerName == "v3" ? new ScriptedAnswer(422) : ScriptedAnswer.Created();
        await using var server = await RelayTestServer.StartAsync("--Relay:Shows:SampleSeconds=1", $"--Relay:Orders:Endpoint={orderApi.Endpoint}");
        using var admin = server.AdminClient();
        var demo = server.Channels.Find("demo")!;
        await PutLineupAsync(admin, ct);

        // The destination: a second channel of this Relay, so the push is real RTMP without a peer.
        var sink = await admin.PostAsJsonAsync("/api/v1/channels", new { id = "sink", title = "Sink" }, ct);
        Assert.Equal(HttpStatusCode.Created, sink.StatusCode);
        var sinkKey = JsonDocument.Parse(await sink.Content.ReadAsStringAsync(ct)).RootElement.GetProperty("streamKey").GetString();
        var destination = await admin.PostAsJsonAsync("/api/v1/channels/demo/destinations",
            new { id = "mirror", name = "Mirror", platform = "custom", url = $"rtmp://127.0.0.1:{server.RtmpPort}/live", streamKey = sinkKey, enabled = true }, ct);
        Assert.Equal(HttpStatusCode.Created, destination.StatusCode);

        await using var host = Connect(server, "messagepack", demo.HostKey);
        var live = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var offline = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        host.On<StatusEvent>("status", s => (s.Live ? live : offline).TrySetResult());
        await host.StartAsync(ct);
        await host.InvokeAsync<JoinSnapshot>("Join", "demo", new JoinOptions { DisplayName = "Host" }, ct);
        // A guest waiting on the page before the show starts, who never joins again: part of the show's audience.
        var early = JsonDocument.Parse(await (await server.Client().PostAsync("/api/v1/guests", null, ct)).Content.ReadAsStringAsync(ct)).RootElement;
        await using var waiting = Connect(server, "messagepack", early.GetProperty("guestToken").GetString()!);
        await waiting.StartAsync(ct);
        await waiting.InvokeAsync<JoinSnapshot>("Join", "demo", new JoinOptions { DisplayName = "early" }, ct);

        var publisher = FfmpegPublisher.Start($"rtmp://127.0.0.1:{server.RtmpPort}/live/{demo.StreamKey}", seconds: 120);
        try
        {
            await live.Task.WaitAsync(Wait, ct);
            var show = await WaitForAsync(admin, "/api/v1/channels/demo/shows", list => list.GetArrayLength() == 1, ct);
            var showId = show[0].GetProperty("showId").GetString()!;
            Assert.True(show[0].GetProperty("live").GetBoolean());

            // Six guests, three on each protocol; two came through creator-7's link.
            var viewers = new List<HubConnection>();
            var tokens = new List<string>();
            for (var i = 0; i < 6; i++)
            {
                var minted = JsonDocument.Parse(await (await server.Client().PostAsync("/api/v1/guests", null, ct)).Content.ReadAsStringAsync(ct)).RootElement;
                tokens.Add(minted.GetProperty("guestToken").GetString()!);
                var viewer = Connect(server, i % 2 == 0 ? "json" : "messagepack", tokens[i]);
                viewers.Add(viewer);
                await viewer.StartAsync(ct);
                await viewer.InvokeAsync<JoinSnapshot>("Join", "demo", new JoinOptions { DisplayName = $"v{i}", Referrer = i < 2 ? "creator-7" : null }, ct);
            }
            try
            {
                // The room counts 8 (seven guests and the host); the report's peak must see it.
                await WaitForViewersAsync(host, 8, ct);

                // Guest 5 leaves and comes back on a new connection with the same token: still one unique viewer.
                await viewers[5].DisposeAsync();
                viewers[5] = Connect(server, "json", tokens[5]);
                await viewers[5].StartAsync(ct);
                await viewers[5].InvokeAsync<JoinSnapshot>("Join", "demo", new JoinOptions { DisplayName = "v5" }, ct);

                for (var i = 0; i < 5; i++)
                {
                    await viewers[i].InvokeAsync("SendMessage", $"你好 {i}", ct);
                }
                // Issue 16: 5 x 7 likes reach the report (announced through the room bus, counted once).
                for (var i = 0; i < 5; i++) await viewers[i].InvokeAsync("Like", 7, ct);
                await host.InvokeAsync("SendMessage", "欢迎来到直播间", ct);
                await host.InvokeAsync("SendMessage", "马上开抢", ct);

                await host.InvokeAsync("Pin", "TEE", ct);
                await BuyAsync(viewers[0], "TEE", 2, ct);
                await BuyAsync(viewers[1], "TEE", 1, ct);
                await host.InvokeAsync("StartFlashSale", new FlashSaleRequest { Sku = "MUG", PriceCents = 1500, Quantity = 10, DurationSeconds = 120 }, ct);
                await BuyAsync(viewers[2], "MUG", 2, ct);
                await BuyAsync(viewers[3], "TEE", 1, ct);
                await WaitForAsync(admin, "/api/v1/channels/demo/orders", orders => orders.GetArrayLength() == 4
                    && orders.EnumerateArray().Count(o => o.GetProperty("status").GetString() == "confirmed") == 3
                    && orders.EnumerateArray().Count(o => o.GetProperty("status").GetString() == "failed") == 1, ct);
                // A destination that has pushed for a while.
                await WaitForAsync(admin, "/api/v1/channels/demo/destinations", d => d[0].GetProperty("state").GetString() == "live", ct);
                await WaitForAsync(admin, $"/api/v1/channels/demo/shows/{showId}/report",
                    r => r.GetProperty("destinations").EnumerateArray().Any(d => d.GetProperty("liveSeconds").GetDouble() >= 2), ct);
            }
            finally
            {
                foreach (var v in viewers) await v.DisposeAsync();
            }
        }
        finally
        {
            publisher.Dispose();
        }
        await offline.Task.WaitAsync(Wait, ct);
        var shows = await WaitForAsync(admin, "/api/v1/channels/demo/shows", list => list[0].GetProperty("endedAt").ValueKind == JsonValueKind.String, ct);
        Assert.Equal(1, shows.GetArrayLength());
        var id = shows[0].GetProperty("showId").GetString()!;

        var report = JsonDocument.Parse(await admin.GetStringAsync($"/api/v1/channels/demo/shows/{id}/report", ct)).RootElement;
        Assert.Equal(id, report.GetProperty("showId").GetString());
        Assert.False(report.GetProperty("live").GetBoolean());
        Assert.Equal(8, report.GetProperty("peakViewers").GetInt32());
        Assert.InRange(report.GetProperty("averageViewers").GetDouble(), 1, 8);
        Assert.Equal(7, report.GetProperty("uniqueViewers").GetInt32());
        Assert.Equal(7, report.GetProperty("messages").GetInt32());
        Assert.Equal(35, report.GetProperty("likes").GetInt32());
        Assert.Equal(3, report.GetProperty("orders").GetInt32());
        Assert.Equal(5, report.GetProperty("units").GetInt32());
        Assert.Equal(2 * 9900 + 9900 + 2 * 1500, report.GetProperty("gmvCents").GetInt64());
        Assert.Equal("CNY", report.GetProperty("currency").GetString());
        Assert.Equal(3, report.GetProperty("buyers").GetInt32());
        Assert.Equal(0.4286, report.GetProperty("conversion").GetDouble());

        var bySku = report.GetProperty("bySku").EnumerateArray().Select(l =>
            (l.GetProperty("sku").GetString(), l.GetProperty("title").GetString(), l.GetProperty("orders").GetInt32(), l.GetProperty("units").GetInt32(), l.GetProperty("gmvCents").GetInt64())).ToList();
        Assert.Equal([("TEE", "纯棉T恤", 2, 3, 29700L), ("MUG", "马克杯", 1, 2, 3000L)], bySku);
        var byReferrer = report.GetProperty("byReferrer").EnumerateArray().Select(l =>
            (l.GetProperty("referrer").GetString(), l.GetProperty("orders").GetInt32(), l.GetProperty("units").GetInt32(), l.GetProperty("gmvCents").GetInt64(), l.GetProperty("buyers").GetInt32())).ToList();
        Assert.Equal([("creator-7", 2, 3, 29700L, 2), (null, 1, 2, 3000L, 1)], byReferrer);

        var mirror = Assert.Single(report.GetProperty("destinations").EnumerateArray());
        Assert.Equal("mirror", mirror.GetProperty("id").GetString());
        Assert.Equal("Mirror", mirror.GetProperty("name").GetString());
        Assert.InRange(mirror.GetProperty("liveSeconds").GetDouble(), 2, report.GetProperty("durationSeconds").GetDouble());
        Assert.Equal(0, mirror.GetProperty("reconnects").GetInt32());

        // The time line adds up to the totals, and the markers are where the host acted.
        var timeline = report.GetProperty("timeline").EnumerateArray().ToList();
        Assert.True(timeline.Count >= 3, $"{timeline.Count} points");
        Assert.Equal(3, timeline.Sum(p => p.GetProperty("orders").GetInt32()));
        Assert.Equal(5, timeline.Sum(p => p.GetProperty("units").GetInt32()));
        Assert.Equal(32700, timeline.Sum(p => p.GetProperty("gmvCents").GetInt64()));
        Assert.Equal(7, timeline.Sum(p => p.GetProperty("messages").GetInt32()));
        Assert.Equal(8, timeline.Max(p => p.GetProperty("peakViewers").GetInt32()));
        var markers = report.GetProperty("markers").EnumerateArray().Select(m => (m.GetProperty("kind").GetString(), m.GetProperty("sku").GetString())).ToList();
        Assert.Equal([("pinned", "TEE"), ("flashSale", "MUG")], markers);
        var startedAt = report.GetProperty("startedAt").GetDateTimeOffset();
        var endedAt = report.GetProperty("endedAt").GetDateTimeOffset();
        Assert.All(report.GetProperty("markers").EnumerateArray(), m => Assert.InRange(m.GetProperty("at").GetDateTimeOffset(), startedAt, endedAt));

        // The CSV: BOM, one row per product, the total, then the figures.
        using var csvResponse = await admin.GetAsync($"/api/v1/channels/demo/shows/{id}/report?format=csv", ct);
        Assert.Equal(HttpStatusCode.OK, csvResponse.StatusCode);
        Assert.Equal("text/csv", csvResponse.Content.Headers.ContentType?.MediaType);
        Assert.Contains(".csv", csvResponse.Content.Headers.ContentDisposition?.ToString());
        var bytes = await csvResponse.Content.ReadAsByteArrayAsync(ct);
        Assert.Equal(Encoding.UTF8.Preamble.ToArray(), bytes[..3]);
        var rows = Encoding.UTF8.GetString(bytes, 3, bytes.Length - 3).Split("\r\n").Select(l => l.Split(',')).ToList();
        Assert.Equal(["sku", "title", "orders", "units", "gmv", "currency"], rows[0]);
        Assert.Equal(["TEE", "纯棉T恤", "2", "3", "297.00", "CNY"], rows[1]);
        Assert.Equal(["MUG", "马克杯", "1", "2", "30.00", "CNY"], rows[2]);
        Assert.Equal(["total", "", "3", "5", "327.00", "CNY"], rows[3]);
        var fields = rows.Where(r => r.Length == 2).ToDictionary(r => r[0], r => r[1]);
        Assert.Equal(id, fields["showId"]);
        Assert.Equal("8", fields["peakViewers"]);
        Assert.Equal("7", fields["uniqueViewers"]);
        Assert.Equal("0.4286", fields["conversion"]);
        Assert.Equal("297.00", fields["referrer:creator-7:gmv"]);

        // The host key opens its own channel's reports; bad input is a problem naming the field and changes nothing.
        using var hostHttp = server.Client(demo.HostKey);
        Assert.Equal(HttpStatusCode.OK, (await hostHttp.GetAsync($"/api/v1/channels/demo/shows/{id}/report", ct)).StatusCode);
        using var badFormat = await admin.GetAsync($"/api/v1/channels/demo/shows/{id}/report?format=xml", ct);
        Assert.Equal(HttpStatusCode.BadRequest, badFormat.StatusCode);
        Assert.Equal("application/problem+json", badFormat.Content.Headers.ContentType?.MediaType);
        Assert.True(JsonDocument.Parse(await badFormat.Content.ReadAsStringAsync(ct)).RootElement.GetProperty("errors").TryGetProperty("format", out _));
        Assert.Equal(HttpStatusCode.NotFound, (await admin.GetAsync("/api/v1/channels/demo/shows/sh_nope/report", ct)).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await admin.GetAsync($"/api/v1/channels/sink/shows/{id}/report", ct)).StatusCode);
        using var anonymous = server.Client();
        Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.GetAsync($"/api/v1/channels/demo/shows/{id}/report", ct)).StatusCode);
        Assert.DoesNotContain(demo.StreamKey, server.Logs.All);
        Assert.DoesNotContain(demo.HostKey, server.Logs.All);
    }

    [Fact]
    public async Task A_republish_within_the_gap_continues_the_show_and_one_after_it_starts_a_new_one()
    {
        FfmpegAvailability.SkipIfMissing();
        var ct = TestContext.Current.CancellationToken;
        const int Gap = 4;
        await using var server = await RelayTestServer.StartAsync("--Relay:Shows:SampleSeconds=1", $"--Relay:Shows:MergeGapSeconds={Gap}");
        using var admin = server.AdminClient();
        var demo = server.Channels.Find("demo")!;
        var registry = server.App.Services.GetRequiredService<Relay.Ingest.Streams.LiveChannelRegistry>();
        var url = $"rtmp://127.0.0.1:{server.RtmpPort}/live/{demo.StreamKey}";

        await PublishOnceAsync(admin, registry, url, ct);
        var first = await WaitForAsync(admin, "/api/v1/channels/demo/shows", l => l.GetArrayLength() == 1 && l[0].GetProperty("endedAt").ValueKind == JsonValueKind.String, ct);
        var firstId = first[0].GetProperty("showId").GetString();

        // OBS reconnecting at once: the same show, open again while live, ended again after.
        using (var again = FfmpegPublisher.Start(url, seconds: 60))
        {
            await WaitForAsync(admin, "/api/v1/channels/demo/shows", l => l[0].GetProperty("live").GetBoolean(), ct);
            var during = JsonDocument.Parse(await admin.GetStringAsync("/api/v1/channels/demo/shows", ct)).RootElement;
            Assert.Equal(1, during.GetArrayLength());
            Assert.Equal(firstId, during[0].GetProperty("showId").GetString());
        }
        var continued = await WaitForAsync(admin, "/api/v1/channels/demo/shows", l => l[0].GetProperty("endedAt").ValueKind == JsonValueKind.String, ct);
        Assert.Equal(1, continued.GetArrayLength());
        var endedAt = continued[0].GetProperty("endedAt").GetDateTimeOffset();

        // After the gap: a new show, listed first.
        while (DateTimeOffset.UtcNow - endedAt <= TimeSpan.FromSeconds(Gap + 1)) await Task.Delay(250, ct);
        await PublishOnceAsync(admin, registry, url, ct);
        var two = await WaitForAsync(admin, "/api/v1/channels/demo/shows", l => l.GetArrayLength() == 2 && l[0].GetProperty("endedAt").ValueKind == JsonValueKind.String, ct);
        Assert.NotEqual(firstId, two[0].GetProperty("showId").GetString());
        Assert.Equal(firstId, two[1].GetProperty("showId").GetString());
        Assert.True(two[0].GetProperty("startedAt").GetDateTimeOffset() > two[1].GetProperty("endedAt").GetDateTimeOffset());

        // Paged: ?limit= answers {items, nextCursor}, the cursor walks to the older show; bad input names the field.
        var page1 = JsonDocument.Parse(await admin.GetStringAsync("/api/v1/channels/demo/shows?limit=1", ct)).RootElement;
        Assert.Equal(two[0].GetProperty("showId").GetString(), page1.GetProperty("items")[0].GetProperty("showId").GetString());
        var cursor = page1.GetProperty("nextCursor").GetString();
        var page2 = JsonDocument.Parse(await admin.GetStringAsync($"/api/v1/channels/demo/shows?limit=1&cursor={cursor}", ct)).RootElement;
        Assert.Equal(firstId, page2.GetProperty("items")[0].GetProperty("showId").GetString());
        Assert.Equal(JsonValueKind.Null, page2.GetProperty("nextCursor").ValueKind);
        foreach (var bad in new[] { "limit=0", "limit=x", "limit=1&cursor=nope", "cursor=abc" })
        {
            using var refused = await admin.GetAsync($"/api/v1/channels/demo/shows?{bad}", ct);
            Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
            Assert.Equal("application/problem+json", refused.Content.Headers.ContentType?.MediaType);
        }
        Assert.Equal(HttpStatusCode.NotFound, (await admin.GetAsync("/api/v1/channels/nope/shows", ct)).StatusCode);
    }

    private static async Task PublishOnceAsync(HttpClient admin, Relay.Ingest.Streams.LiveChannelRegistry registry, string url, CancellationToken ct)
    {
        using (FfmpegPublisher.Start(url, seconds: 60))
        {
            await WaitForAsync(admin, "/api/v1/channels/demo/shows", l => l.GetArrayLength() > 0 && l[0].GetProperty("live").GetBoolean(), ct);
        }
        var deadline = DateTime.UtcNow + Wait;
        while (registry.IsLive("demo") && DateTime.UtcNow < deadline) await Task.Delay(100, ct);
    }

    private static async Task PutLineupAsync(HttpClient admin, CancellationToken ct)
    {
        var put = await admin.PutAsJsonAsync("/api/v1/channels/demo/lineup", new object[]
        {
            new { sku = "TEE", title = "纯棉T恤", priceCents = 9900, currency = "CNY", stock = 100 },
            new { sku = "MUG", title = "马克杯", priceCents = 2500, currency = "CNY", stock = 100 },
        }, ct);
        Assert.Equal(HttpStatusCode.OK, put.StatusCode);
    }

    private static async Task BuyAsync(HubConnection viewer, string sku, int quantity, CancellationToken ct)
    {
        var result = await viewer.InvokeAsync<PurchaseResult>("Purchase", new PurchaseRequest { Sku = sku, Quantity = quantity, IdempotencyKey = Guid.NewGuid().ToString("N") }, ct);
        Assert.Equal(PurchaseStatus.Reserved, result.Status);
    }

    private static async Task WaitForViewersAsync(HubConnection host, int count, CancellationToken ct)
    {
        // Asked of the room itself: a fresh join's snapshot carries the room's count (the debounced event may be late).
        var deadline = DateTime.UtcNow + Wait;
        while (DateTime.UtcNow < deadline)
        {
            var snapshot = await host.InvokeAsync<JoinSnapshot>("Join", "demo", new JoinOptions { DisplayName = "Host" }, ct);
            if (snapshot.Viewers == count) return;
            await Task.Delay(200, ct);
        }
        Assert.Fail($"the room never counted {count} viewers");
    }

    private static async Task<JsonElement> WaitForAsync(HttpClient client, string path, Func<JsonElement, bool> done, CancellationToken ct)
    {
        var deadline = DateTime.UtcNow + Wait;
        JsonElement last = default;
        while (DateTime.UtcNow < deadline)
        {
            last = JsonDocument.Parse(await client.GetStringAsync(path, ct)).RootElement;
            if (done(last)) return last;
            await Task.Delay(200, ct);
        }
        Assert.Fail($"{path} never reached the expected state; last: {last}");
        return last;
    }

    private static HubConnection Connect(RelayTestServer server, string protocol, string token)
    {
        var builder = new HubConnectionBuilder().WithUrl(new Uri(server.BaseAddress, "/hubs/live"), o => o.AccessTokenProvider = () => Task.FromResult<string?>(token));
        if (protocol == "messagepack") builder.AddMessagePackProtocol();
        return builder.Build();
    }
}
