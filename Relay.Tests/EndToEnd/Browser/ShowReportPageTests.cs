using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.SignalR.Client;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using Relay.Chat.Contracts;
using Relay.Tests.Common.Browser;
using Relay.Tests.Common.Hosts;
using Relay.Tests.Common.Media;

namespace Relay.Tests.EndToEnd.Browser;

/// <summary>
/// The show report page against a real show: ffmpeg publishes, guests join over both hub protocols through two
/// referrers, chat and buy, the host pins and runs a flash sale, one destination pushes; then the page lists the
/// show and draws its report in zh-CN (no English left) and in en, with the CSV downloaded through the page.
/// </summary>
[Collection(RealFfmpegCollection.Name)]
public sealed class ShowReportPageTests
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task The_report_page_shows_the_figures_charts_and_tables_of_a_show_in_chinese_and_english()
    {
        FfmpegAvailability.SkipIfMissing();
        ChromiumSession.SkipIfMissing();
        var ct = TestContext.Current.CancellationToken;
        await using var server = await RelayTestServer.StartAsync("--Relay:Shows:SampleSeconds=1");
        await using var chromium = await ChromiumSession.StartAsync();
        using var admin = server.AdminClient();
        var demo = server.Channels.Find("demo")!;
        var showId = await RunShowAsync(server, admin, demo.HostKey, demo.StreamKey, ct);
        var report = JsonDocument.Parse(await admin.GetStringAsync($"/api/v1/channels/demo/shows/{showId}/report", ct)).RootElement;
        var points = report.GetProperty("timeline").GetArrayLength();

        // zh-CN: the list, then the report, signed in with the host key.
        var zh = await chromium.NewPageAsync(server.BaseAddress, 1280, 900, locale: "zh-CN");
        await zh.GotoAsync("/studio/demo/shows");
        await Assertions.Expect(zh.Locator("html")).ToHaveAttributeAsync("lang", "zh-CN");
        await zh.Locator("#token-input").FillAsync("hk_wrong");
        await zh.Locator("#login-form button[type=submit]").ClickAsync();
        await Assertions.Expect(zh.Locator("#login-error")).ToContainTextAsync("密钥");
        await zh.Locator("#token-input").FillAsync(demo.HostKey);
        await zh.Locator("#login-form button[type=submit]").ClickAsync();
        await Assertions.Expect(zh.Locator("#shows-body tr")).ToHaveCountAsync(1);
        await Assertions.Expect(zh.Locator("#shows-body tr")).ToContainTextAsync("已结束");
        await VisibleText.AssertNoEnglishAsync(zh, "Relay demo show");
        await zh.Locator("#shows-body a").ClickAsync();
        await zh.WaitForURLAsync($"**/studio/demo/shows/{showId}");

        await Assertions.Expect(zh.Locator("[data-figure=orders] dd")).ToHaveTextAsync("3");
        await Assertions.Expect(zh.Locator("[data-figure=units] dd")).ToHaveTextAsync("5");
        await Assertions.Expect(zh.Locator("[data-figure=gmv] dd")).ToContainTextAsync("327.00");
        await Assertions.Expect(zh.Locator("[data-figure=uniqueViewers] dd")).ToHaveTextAsync("6");
        await Assertions.Expect(zh.Locator("[data-figure=conversion] dd")).ToHaveTextAsync("50%");
        await Assertions.Expect(zh.Locator("[data-figure=peakViewers] dd")).ToHaveTextAsync("7");
        // One point per time-line interval in each line chart, a bar per interval in the sales chart, and the pin and
        // the sale marked on all three.
        foreach (var chart in new[] { "#chart-viewers", "#chart-messages", "#chart-sales" })
        {
            await Assertions.Expect(zh.Locator($"{chart} svg .chart-point")).ToHaveCountAsync(points);
            await Assertions.Expect(zh.Locator($"{chart} svg .chart-marker-pin")).ToHaveCountAsync(1);
            await Assertions.Expect(zh.Locator($"{chart} svg .chart-marker-sale")).ToHaveCountAsync(1);
        }
        var tallest = await zh.EvaluateAsync<double>("() => Math.max(...[...document.querySelectorAll('#chart-sales .chart-bar')].map(b => +b.getAttribute('height')))");
        Assert.True(tallest > 10, $"the sales bars are flat ({tallest})");
        await Assertions.Expect(zh.Locator("#sku-body tr")).ToHaveCountAsync(2);
        await Assertions.Expect(zh.Locator("#sku-body tr").First).ToContainTextAsync("纯棉T恤");
        await Assertions.Expect(zh.Locator("#ref-body tr")).ToHaveCountAsync(2);
        await Assertions.Expect(zh.Locator("#ref-body")).ToContainTextAsync("直接进入");
        await Assertions.Expect(zh.Locator("#dest-body tr")).ToHaveCountAsync(1);
        await Assertions.Expect(zh.Locator("#markers li")).ToHaveCountAsync(2);
        await Assertions.Expect(zh.Locator("#markers")).ToContainTextAsync("讲解：纯棉T恤");
        await VisibleText.AssertNoEnglishAsync(zh, "Relay demo show", "Mirror", "custom", "creator-7", "TEE", "MUG");

        // en: the same report, and the CSV through the page's button (fetched with the Bearer header, saved from a blob).
        var en = await chromium.NewPageAsync(server.BaseAddress, 1280, 1000);
        await en.GotoAsync($"/studio/demo/shows/{showId}");
        await en.Locator("#token-input").FillAsync(demo.HostKey);
        await en.Locator("#login-form button[type=submit]").ClickAsync();
        await Assertions.Expect(en.Locator("html")).ToHaveAttributeAsync("lang", "en");
        await Assertions.Expect(en.Locator("[data-figure=peakViewers] dt")).ToHaveTextAsync("Peak viewers");
        await Assertions.Expect(en.Locator("[data-figure=gmv] dd")).ToContainTextAsync("327.00");
        await Assertions.Expect(en.Locator("#chart-viewers svg .chart-point")).ToHaveCountAsync(points);
        await Assertions.Expect(en.Locator("#markers")).ToContainTextAsync("Flash sale: 马克杯 × 10");
        var download = await en.RunAndWaitForDownloadAsync(() => en.Locator("#csv").ClickAsync());
        Assert.EndsWith(".csv", download.SuggestedFilename, StringComparison.Ordinal);
        var csvPath = Path.Combine(server.DataDir, "report.csv");
        await download.SaveAsAsync(csvPath);
        var bytes = await File.ReadAllBytesAsync(csvPath, ct);
        Assert.Equal(Encoding.UTF8.Preamble.ToArray(), bytes[..3]);
        Assert.Contains("total,,3,5,327.00,CNY", Encoding.UTF8.GetString(bytes), StringComparison.Ordinal);

        var png = await Screenshots.SaveAsync(server, en, "show-report.png");
        Assert.True(new FileInfo(png).Length > 20_000);
        Assert.Empty(chromium.PageErrors);
    }

    /// <summary>A show of a few seconds with guests arriving one by one, so the charts have a shape.</summary>
    private static async Task<string> RunShowAsync(RelayTestServer server, HttpClient admin, string hostKey, string streamKey, CancellationToken ct)
    {
        var put = await admin.PutAsJsonAsync("/api/v1/channels/demo/lineup", new object[]
        {
            new { sku = "TEE", title = "纯棉T恤", priceCents = 9900, currency = "CNY", stock = 100 },
            new { sku = "MUG", title = "马克杯", priceCents = 2500, currency = "CNY", stock = 100 },
        }, ct);
        Assert.Equal(HttpStatusCode.OK, put.StatusCode);
        var sink = JsonDocument.Parse(await (await admin.PostAsJsonAsync("/api/v1/channels", new { id = "sink", title = "Sink" }, ct)).Content.ReadAsStringAsync(ct)).RootElement;
        var added = await admin.PostAsJsonAsync("/api/v1/channels/demo/destinations", new
        {
            id = "mirror", name = "Mirror", platform = "custom", url = $"rtmp://127.0.0.1:{server.RtmpPort}/live",
            streamKey = sink.GetProperty("streamKey").GetString(), enabled = true,
        }, ct);
        Assert.Equal(HttpStatusCode.Created, added.StatusCode);

        await using var host = Connect(server, "messagepack", hostKey);
        await host.StartAsync(ct);
        await host.InvokeAsync<JoinSnapshot>("Join", "demo", new JoinOptions { DisplayName = "主播" }, ct);
        var viewers = new List<HubConnection>();
        string showId;
        using (FfmpegPublisher.Start($"rtmp://127.0.0.1:{server.RtmpPort}/live/{streamKey}", seconds: 120))
        {
            var list = await WaitForAsync(admin, "/api/v1/channels/demo/shows", l => l.GetArrayLength() == 1, ct);
            showId = list[0].GetProperty("showId").GetString()!;
            var report = $"/api/v1/channels/demo/shows/{showId}/report";
            try
            {
                for (var i = 0; i < 6; i++)
                {
                    var token = JsonDocument.Parse(await (await server.Client().PostAsync("/api/v1/guests", null, ct)).Content.ReadAsStringAsync(ct))
                        .RootElement.GetProperty("guestToken").GetString()!;
                    var viewer = Connect(server, i % 2 == 0 ? "json" : "messagepack", token);
                    viewers.Add(viewer);
                    await viewer.StartAsync(ct);
                    await viewer.InvokeAsync<JoinSnapshot>("Join", "demo", new JoinOptions { DisplayName = $"观众{i}", Referrer = i < 2 ? "creator-7" : null }, ct);
                    await viewer.InvokeAsync("SendMessage", $"想要 {i}", ct);
                    if (i % 2 == 1) await viewers[i - 1].InvokeAsync("SendMessage", "多少钱？", ct);
                    if (i == 1) await host.InvokeAsync("Pin", "TEE", ct);
                    if (i == 2) await Buy(viewers[0], "TEE", 2, ct);
                    if (i == 3) await Buy(viewers[1], "TEE", 1, ct);
                    if (i == 4) await host.InvokeAsync("StartFlashSale", new FlashSaleRequest { Sku = "MUG", PriceCents = 1500, Quantity = 10, DurationSeconds = 120 }, ct);
                    if (i == 5) await Buy(viewers[2], "MUG", 2, ct);
                    // One guest per time-line point: wait for the next point rather than for a fixed time.
                    var pointsNow = (await WaitForAsync(admin, report, _ => true, ct)).GetProperty("timeline").GetArrayLength();
                    await WaitForAsync(admin, report, r => r.GetProperty("timeline").GetArrayLength() > pointsNow + 1, ct);
                }
                await WaitForAsync(admin, "/api/v1/channels/demo/orders",
                    o => o.GetArrayLength() == 3 && o.EnumerateArray().All(x => x.GetProperty("status").GetString() == "confirmed"), ct);
                await WaitForAsync(admin, report, r => r.GetProperty("destinations").EnumerateArray().Any(d => d.GetProperty("liveSeconds").GetDouble() >= 2), ct);
            }
            finally
            {
                foreach (var v in viewers) await v.DisposeAsync();
            }
        }
        await WaitForAsync(admin, "/api/v1/channels/demo/shows", l => l[0].GetProperty("endedAt").ValueKind == JsonValueKind.String, ct);
        return showId;
    }

    private static async Task Buy(HubConnection viewer, string sku, int quantity, CancellationToken ct)
    {
        var result = await viewer.InvokeAsync<PurchaseResult>("Purchase", new PurchaseRequest { Sku = sku, Quantity = quantity, IdempotencyKey = Guid.NewGuid().ToString("N") }, ct);
        Assert.Equal(PurchaseStatus.Reserved, result.Status);
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
