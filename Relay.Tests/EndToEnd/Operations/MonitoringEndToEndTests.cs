using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.SignalR;
using Microsoft.AspNetCore.SignalR.Client;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Relay.Chat.Contracts;
using Relay.Ingest.Egress;
using Relay.Ingest.Ffmpeg;
using Relay.Ingest.Streams;
using Relay.Tests.Common;
using Relay.Tests.Common.Hosts;
using Relay.Tests.Common.Media;
using Relay.Tests.Common.Peers;

namespace Relay.Tests.EndToEnd.Operations;

/// <summary>
/// The monitoring as deployed: a real Prometheus, configured from the committed prometheus.yml and relay.rules.yml,
/// scrapes a real Relay while ffmpeg publishes, viewers chat and buy. Asserts go through Prometheus' HTTP API, so
/// they cover metric names, labels, units, the scrape path, rule evaluation on real series and every dashboard query.
/// </summary>
[Collection(RealFfmpegCollection.Name)]
public sealed class MonitoringEndToEndTests(ITestOutputHelper output)
{
    // Relay's metric registry is process-wide and other test classes use the "demo" channel too,
    // so counters are compared with a baseline taken before this test acts, never with absolute values.
    private const string Channel = "demo";

    /// <summary>CONTRACT.md "Metrics" with their types and labels; the order API histogram's outcome label is this branch's extension.</summary>
    private static readonly (string Name, string Type, string[] Labels)[] ContractMetrics =
    [
        ("relay_ingest_live", "gauge", ["channel"]),
        ("relay_ingest_bitrate_bits_per_second", "gauge", ["channel"]),
        ("relay_ingest_frames_per_second", "gauge", ["channel"]),
        ("relay_ingest_bytes_total", "counter", ["channel"]),
        ("relay_ingest_rejected_total", "counter", ["reason"]),
        ("relay_destination_up", "gauge", ["channel", "destination", "platform"]),
        ("relay_destination_bytes_total", "counter", ["channel", "destination", "platform"]),
        ("relay_destination_reconnects_total", "counter", ["channel", "destination", "platform"]),
        ("relay_destination_dropped_frames_total", "counter", ["channel", "destination", "platform"]),
        ("relay_destination_queue_seconds", "gauge", ["channel", "destination", "platform"]),
        ("relay_ffmpeg_processes", "gauge", ["role"]),
        ("relay_ffmpeg_exits_total", "counter", ["outcome", "role"]),
        ("relay_hub_connections", "gauge", []),
        ("relay_chat_messages_total", "counter", ["channel"]),
        ("relay_chat_rejected_total", "counter", ["reason"]),
        ("relay_purchases_total", "counter", ["channel", "status"]),
        ("relay_orders_total", "counter", ["status"]),
        ("relay_order_api_request_duration_seconds", "histogram", ["outcome"]),
        ("relay_order_outbox_pending", "gauge", []),
        ("relay_order_dead_letters_total", "counter", []),
        ("relay_sales_amount_cents_total", "counter", ["channel", "currency"]),
        ("relay_order_api_misconfigured_total", "counter", []), // v2
        ("relay_cluster_nodes", "gauge", []), // v2: 1 on the embedded default
    ];

    /// <summary>Drops need a consumer slower than the stream, which this test does not create.</summary>
    private static readonly string[] MayBeEmpty = ["relay_fanout_dropped_frames_total", "relay_destination_dropped_frames_total",
        // Only on a node of a cluster (the engines' probes, the channel leases): this Relay is the embedded default.
        "relay_dependency_up", "relay_channel_owner"];

    [Fact]
    public async Task Prometheus_scrapes_a_live_relay_and_every_rule_and_dashboard_query_works_on_real_series()
    {
        FfmpegAvailability.SkipIfMissing();
        PrometheusTools.SkipIfPrometheusMissing();
        var ct = TestContext.Current.CancellationToken;
        var clock = Stopwatch.StartNew();
        var started = DateTimeOffset.UtcNow;

        await using var relay = await RelayTestServer.StartAsync();
        var demo = relay.Channels.Find(Channel)!;
        using var admin = relay.AdminClient();

        // Two destinations: an RTMP server that takes the stream (ffmpeg's listener) and a port nobody listens on.
        var sinkPort = Relay.Tests.Common.FreePort.Next();
        var deadPort = Relay.Tests.Common.FreePort.Next();
        await using var sink = FfmpegPeers.StartListener(sinkPort, "live", "sinkkey");
        var draining = sink.Process.StandardOutput.BaseStream.CopyToAsync(Stream.Null, ct);
        await FreePort.WaitListeningPassivelyAsync(sinkPort, TimeSpan.FromSeconds(10), sink);
        await using var egress = EgressOf(relay);
        await egress.Manager.ApplyAsync(Channel,
        [
            new EgressDestination("sink", "Sink", "custom", $"rtmp://127.0.0.1:{sinkPort}/live", "sinkkey", Enabled: true),
            new EgressDestination("nowhere", "Nowhere", "custom", $"rtmp://127.0.0.1:{deadPort}/live", "k", Enabled: true),
        ], ct);

        await using var prometheus = await PrometheusServer.StartAsync($"127.0.0.1:{relay.BaseAddress.Port}", ct);
        await prometheus.WaitForAsync("up{job=\"relay\"}", v => v == 1, "Prometheus scrapes Relay", TimeSpan.FromSeconds(10), ct);

        const string Reserved = $"relay_purchases_total{{channel=\"{Channel}\",status=\"reserved\"}}";
        const string Messages = $"relay_chat_messages_total{{channel=\"{Channel}\"}}";
        const string Sales = $"sum(relay_sales_amount_cents_total{{channel=\"{Channel}\"}})";
        const string Confirmed = "relay_order_api_request_duration_seconds_count{outcome=\"confirmed\"}";
        const string ProtocolErrors = "relay_ingest_rejected_total{reason=\"protocol_error\"}";
        const string TooLong = "relay_chat_rejected_total{reason=\"too_long\"}";
        var baseline = new Dictionary<string, double>();
        foreach (var expr in new[] { Reserved, Messages, Sales, Confirmed, ProtocolErrors, TooLong })
        {
            baseline[expr] = await prometheus.ScalarAsync(expr, ct) ?? 0;
        }

        // Live: OBS is ffmpeg with the channel's key.
        using (var publisher = FfmpegPublisher.Start($"rtmp://127.0.0.1:{relay.RtmpPort}/live/{demo.StreamKey}", seconds: 40))
        {
            await prometheus.WaitForAsync($"relay_ingest_live{{channel=\"{Channel}\"}}", v => v == 1, "channel live", TimeSpan.FromSeconds(15), ct);

            // An HTTP-FLV viewer, so the fan-out series exist; it reads until the channel ends.
            using var flv = relay.Client();
            using var viewerStream = await flv.GetStreamAsync($"/live/{Channel}.flv", ct);
            var viewing = Task.Run(async () =>
            {
                var buffer = new byte[64 * 1024];
                try { while (await viewerStream.ReadAsync(buffer, ct) > 0) { } }
                catch (Exception ex) when (ex is IOException or OperationCanceledException or ObjectDisposedException) { }
            }, ct);

            // A scanner speaking HTTP to the RTMP port: refused as protocol_error.
            using (var scanner = new TcpClient())
            {
                await scanner.ConnectAsync(IPAddress.Loopback, relay.RtmpPort, ct);
                await scanner.GetStream().WriteAsync("GET / HTTP/1.1\r\n\r\n"u8.ToArray(), ct);
                var reply = new byte[256];
                try { while (await scanner.GetStream().ReadAsync(reply, ct) > 0) { } }
                catch (IOException) { }
            }

            // The live room: a host pins, a guest chats (one message too long) and buys twice.
            await using var host = new HubConnectionBuilder().WithUrl(new Uri(relay.BaseAddress, "/hubs/live"),
                o => o.AccessTokenProvider = () => Task.FromResult<string?>(demo.HostKey)).Build();
            await using var guest = new HubConnectionBuilder().WithUrl(new Uri(relay.BaseAddress, "/hubs/live")).AddMessagePackProtocol().Build();
            await host.StartAsync(ct);
            await guest.StartAsync(ct);
            await host.InvokeAsync<JoinSnapshot>("Join", Channel, new JoinOptions { DisplayName = "Host" }, ct);
            await guest.InvokeAsync<JoinSnapshot>("Join", Channel, new JoinOptions { DisplayName = "Ann" }, ct);
            var item = demo.Lineup[0];
            await host.InvokeAsync("Pin", item.Sku, ct);
            foreach (var text in new[] { "hello", "is it waterproof?", "nice" })
            {
                await guest.InvokeAsync("SendMessage", text, ct);
            }
            await Assert.ThrowsAsync<HubException>(() => guest.InvokeAsync("SendMessage", new string('x', 600), ct));
            foreach (var key in new[] { "buy-1", "buy-2" })
            {
                var result = await guest.InvokeAsync<PurchaseResult>("Purchase", new PurchaseRequest { Sku = item.Sku, Quantity = 1, IdempotencyKey = key }, ct);
                Assert.Equal("reserved", result.Status);
            }

            var wait = TimeSpan.FromSeconds(15);
            var bitrate = await prometheus.WaitForAsync($"relay_ingest_bitrate_bits_per_second{{channel=\"{Channel}\"}}", v => v > 50_000, "ingest bitrate in bit/s", wait, ct);
            var fps = await prometheus.WaitForAsync($"relay_ingest_frames_per_second{{channel=\"{Channel}\"}}", v => v is > 20 and < 40, "ingest fps of a 30 fps source", wait, ct);
            // The native ingest engine (default) runs no ffmpeg; the HLS packager is the live channel's ffmpeg child.
            await prometheus.WaitForAsync("sum(relay_ffmpeg_processes{role=\"hls\"})", v => v >= 1, "the HLS packager's ffmpeg running", wait, ct);
            await prometheus.WaitForAsync($"sum(relay_fanout_subscribers{{channel=\"{Channel}\",kind=\"http_flv\"}})", v => v >= 1, "the HTTP-FLV viewer attached", wait, ct);
            await prometheus.WaitForAsync($"sum(rate(relay_ingest_bytes_total{{channel=\"{Channel}\"}}[5s])) * 8", v => v > 50_000, "ingest byte counter moving", wait, ct);
            await prometheus.WaitForAsync("sum(relay_hub_connections)", v => v >= 2, "hub connections", wait, ct);
            await prometheus.WaitForAsync(Messages, v => v >= baseline[Messages] + 3, "chat messages counted", wait, ct);
            await prometheus.WaitForAsync(TooLong, v => v >= baseline[TooLong] + 1, "too_long refusal counted", wait, ct);
            await prometheus.WaitForAsync(ProtocolErrors, v => v >= baseline[ProtocolErrors] + 1, "protocol_error refusal counted", wait, ct);
            await prometheus.WaitForAsync(Reserved, v => v >= baseline[Reserved] + 2, "purchases reserved", wait, ct);
            await prometheus.WaitForAsync(Confirmed, v => v >= baseline[Confirmed] + 2, "order API attempts confirmed", wait, ct);
            await prometheus.WaitForAsync(Sales, v => v >= baseline[Sales] + 2 * item.PriceCents, "sales amount in cents", wait, ct);
            await prometheus.WaitForAsync("job:relay_order_api_requests:rate5m", v => v > 0, "order API recording rule on real series", wait, ct);
            output.WriteLine($"live after {clock.Elapsed.TotalSeconds:0.0} s: bitrate {bitrate:0} bit/s, {fps:0.0} fps");

            // Egress on real series: the sink is up and fed, the dead destination is down, retried, and alerting joins
            // its labels with the channel's live gauge (the alert is pending: its "for" is longer than this test).
            await prometheus.WaitForAsync($"relay_destination_up{{channel=\"{Channel}\",destination=\"sink\",platform=\"custom\"}}", v => v == 1, "sink destination up", wait, ct);
            await prometheus.WaitForAsync($"rate(relay_destination_bytes_total{{channel=\"{Channel}\",destination=\"sink\"}}[5s]) * 8", v => v > 50_000, "bits/s pushed to the sink", wait, ct);
            await prometheus.WaitForAsync($"relay_destination_up{{channel=\"{Channel}\",destination=\"nowhere\"}}", v => v == 0, "dead destination down", wait, ct);
            await prometheus.WaitForAsync($"relay_destination_reconnects_total{{channel=\"{Channel}\",destination=\"nowhere\"}}", v => v >= 1, "dead destination retried", wait, ct);
            await prometheus.WaitForAsync($"count(ALERTS{{alertname=\"RelayDestinationDown\",channel=\"{Channel}\",destination=\"nowhere\",alertstate=\"pending\"}})", v => v == 1,
                "RelayDestinationDown pending for the dead destination", wait, ct);
            // The sink was down while it connected, so its alert may still read pending at the evaluation after it came up
            // (1 s apart here): it must clear, and stay cleared while the sink is up.
            await prometheus.WaitForAsync($"absent(ALERTS{{alertname=\"RelayDestinationDown\",destination=\"sink\"}})", v => v == 1,
                "no RelayDestinationDown for the sink once it is up", wait, ct);

            // The encoder dies mid-show: the gauge reads 0 and the ingest-down alert goes pending on real series.
            publisher.Dispose();
            await prometheus.WaitForAsync($"relay_ingest_live{{channel=\"{Channel}\"}}", v => v == 0, "channel offline", wait, ct);
            await prometheus.WaitForAsync($"count(ALERTS{{alertname=\"RelayIngestDown\",channel=\"{Channel}\",alertstate=\"pending\"}})", v => v == 1,
                "RelayIngestDown pending after the publisher dropped", wait, ct);
            await prometheus.WaitForAsync("sum(relay_ffmpeg_exits_total{role=\"hls\"})", v => v >= 1, "the HLS packager's exit counted", wait, ct);
            await viewing.WaitAsync(TimeSpan.FromSeconds(10), ct);
        }

        // Every rule evaluated on real series without error (e.g. no many-to-many match between real label sets).
        var groups = (await prometheus.GetDataAsync("api/v1/rules", ct)).GetProperty("groups").EnumerateArray().ToList();
        var loaded = groups.SelectMany(g => g.GetProperty("rules").EnumerateArray()).ToList();
        Assert.Equal(File.ReadAllText(PrometheusTools.ConfigPath("prometheus", "relay.rules.yml")).Split("- alert: ").Length - 1,
            loaded.Count(r => r.GetProperty("type").GetString() == "alerting"));
        var broken = loaded.Where(r => r.GetProperty("health").GetString() != "ok")
            .Select(r => $"{r.GetProperty("name").GetString()}: {r.GetProperty("health").GetString()} {(r.TryGetProperty("lastError", out var e) ? e.GetString() : "")}").ToList();
        Assert.True(broken.Count == 0, string.Join('\n', broken));

        // CONTRACT.md's metrics as Prometheus saw them: type, a help text, and exactly the contract's labels.
        var metadata = await prometheus.GetDataAsync("api/v1/metadata", ct);
        var contractProblems = new List<string>();
        foreach (var (name, type, labels) in ContractMetrics)
        {
            // Prometheus scrapes OpenMetrics, whose counter family names drop the _total of the sample names.
            var family = type == "counter" ? name[..^"_total".Length] : name;
            if (!metadata.TryGetProperty(family, out var entries))
            {
                // A labelled counter is exported from its first increment; this test need not make a push fall behind.
                if (name != "relay_destination_dropped_frames_total") contractProblems.Add($"{name}: not scraped");
                continue;
            }
            var entry = entries[0];
            if (entry.GetProperty("type").GetString() != type) contractProblems.Add($"{name}: type {entry.GetProperty("type").GetString()}, contract says {type}");
            if (string.IsNullOrWhiteSpace(entry.GetProperty("help").GetString())) contractProblems.Add($"{name}: no help text");
            var series = await prometheus.GetDataAsync($"api/v1/series?match[]={Uri.EscapeDataString(type == "histogram" ? name + "_bucket" : name)}", ct);
            var seen = series.EnumerateArray().SelectMany(s => s.EnumerateObject().Select(p => p.Name))
                .Where(l => l is not ("__name__" or "job" or "instance" or "le")).ToHashSet();
            if (!seen.SetEquals(labels)) contractProblems.Add($"{name}: labels [{string.Join(",", seen.Order())}], expected [{string.Join(",", labels)}]");
        }
        Assert.True(contractProblems.Count == 0, string.Join('\n', contractProblems));

        // The dashboard's variables resolve to this Relay.
        var channels = await prometheus.GetDataAsync("api/v1/label/channel/values?match[]=relay_ingest_live", ct);
        Assert.Contains(Channel, channels.EnumerateArray().Select(v => v.GetString()));
        var jobs = await prometheus.GetDataAsync("api/v1/label/job/values?match[]=process_start_time_seconds", ct);
        Assert.Contains("relay", jobs.EnumerateArray().Select(v => v.GetString()));

        // A couple more scrapes so that counters first seen at the end have two samples in a rate window.
        await Task.Delay(TimeSpan.FromSeconds(3), ct);
        var end = DateTimeOffset.UtcNow;
        var dashboard = JsonDocument.Parse(File.ReadAllText(PrometheusTools.ConfigPath("grafana", "dashboards", "relay.json"))).RootElement;
        var problems = new List<string>();
        var empty = new List<string>();
        var checkedQueries = 0;
        var picture = new DashboardPicture();
        foreach (var panel in DashboardQueries.Panels(dashboard))
        {
            foreach (var (raw, legend) in panel.Exprs.Zip(panel.Legends.Concat(Enumerable.Repeat<string?>(null, panel.Exprs.Count))))
            {
                var expr = DashboardQueries.Substitute(raw, Channel, "relay", end - started);
                JsonElement data;
                try
                {
                    data = await prometheus.QueryRangeAsync(expr, started, end, TimeSpan.FromSeconds(1), ct);
                }
                catch (PromQlException ex)
                {
                    problems.Add($"'{panel.Title}': invalid query: {ex.Message}");
                    continue;
                }
                checkedQueries++;
                if (picture.Wants(panel.Title)) picture.Add(panel.Title, data, legend);
                if (data.GetProperty("result").GetArrayLength() > 0)
                {
                    continue;
                }
                if (MayBeEmpty.Any(raw.Contains))
                {
                    empty.Add(panel.Title);
                }
                else
                {
                    problems.Add($"'{panel.Title}': no data for {expr}");
                }
            }
        }
        Assert.True(problems.Count == 0, string.Join('\n', problems) + "\nprometheus log:\n" + prometheus.Log);
        Assert.True(checkedQueries >= 30, $"only {checkedQueries} dashboard queries checked");
        output.WriteLine($"{checkedQueries} dashboard queries valid; allowed to be empty and empty: {string.Join(", ", empty.Distinct())}");

        // The dashboard's main panels as a picture for the docs, drawn from these same answers.
        Assert.True(picture.PanelsWithData >= 10, $"only {picture.PanelsWithData} of the main panels had data to draw");
        var png = await picture.SaveAsync(Path.Combine(relay.DataDir, "screenshots"));
        Assert.True(new FileInfo(png).Length > 20_000, $"{png} is too small to hold the panels");
        output.WriteLine($"whole test {clock.Elapsed.TotalSeconds:0.0} s");
    }

    /// <summary>
    /// The host's egress. Until AddRelayServer registers it, it is composed here the way the server will: AddRelayEgress
    /// over the host's own LiveChannelRegistry and ffmpeg registry, following live/offline as a registry observer.
    /// </summary>
    private static HostEgress EgressOf(RelayTestServer relay)
    {
        if (relay.App.Services.GetService<EgressManager>() is { } wired)
        {
            return new HostEgress(wired, null, null);
        }
        var registry = relay.App.Services.GetRequiredService<LiveChannelRegistry>();
        var services = new ServiceCollection()
            .AddLogging()
            .AddSingleton(registry)
            .AddSingleton(relay.App.Services.GetRequiredService<FfmpegProcessRegistry>());
        // Short backoff so the dead destination is retried within the test.
        services.AddRelayEgress(new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Relay:Egress:BackoffBaseSeconds"] = "0.2",
            ["Relay:Egress:BackoffCapSeconds"] = "1",
        }).Build());
        var provider = services.BuildServiceProvider();
        var observers = provider.GetServices<ILiveChannelObserver>().Select(registry.AddObserver).ToList();
        return new HostEgress(provider.GetRequiredService<EgressManager>(), provider, observers);
    }

    private sealed record HostEgress(EgressManager Manager, ServiceProvider? Provider, List<IDisposable>? Observers) : IAsyncDisposable
    {
        public async ValueTask DisposeAsync()
        {
            Observers?.ForEach(o => o.Dispose());
            if (Provider is not null)
            {
                await Provider.DisposeAsync();
            }
        }
    }
}
