using System.Net;
using System.Net.Http.Headers;
using Microsoft.Data.Sqlite;
using Relay.Tests.Common;
using Relay.Tests.Faults;
using Relay.Tests.Common.Hosts;

namespace Relay.Tests.Integration.Server;

/// <summary>
/// `/metrics` behind an optional token (review L1), `/readyz` without raw exception text (L1), and every contract
/// metric exported from the first scrape of a fresh Relay (issue 12, item 8).
/// </summary>
public sealed class MetricsEndpointTests
{
    private const string MetricsToken = "metrics-token-0123456789abcdef";

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    /// <summary>CONTRACT.md "Metrics" (v1), with the type each must have. v2 metrics are added by the slices that build them.</summary>
    public static readonly (string Name, string Type)[] ContractMetrics =
    [
        ("relay_ingest_live", "gauge"),
        ("relay_ingest_bitrate_bits_per_second", "gauge"),
        ("relay_ingest_frames_per_second", "gauge"),
        ("relay_ingest_bytes_total", "counter"),
        ("relay_ingest_rejected_total", "counter"),
        ("relay_destination_up", "gauge"),
        ("relay_destination_bytes_total", "counter"),
        ("relay_destination_reconnects_total", "counter"),
        ("relay_destination_dropped_frames_total", "counter"),
        ("relay_destination_queue_seconds", "gauge"),
        ("relay_ffmpeg_processes", "gauge"),
        ("relay_ffmpeg_exits_total", "counter"),
        ("relay_hub_connections", "gauge"),
        ("relay_chat_messages_total", "counter"),
        ("relay_chat_rejected_total", "counter"),
        ("relay_purchases_total", "counter"),
        ("relay_orders_total", "counter"),
        ("relay_order_api_request_duration_seconds", "histogram"),
        ("relay_order_outbox_pending", "gauge"),
        ("relay_order_dead_letters_total", "counter"),
        ("relay_sales_amount_cents_total", "counter"),
        ("relay_cluster_nodes", "gauge"), // v2
        ("relay_ingest_end_total", "counter"), // v2
        ("relay_ingest_rehearsals_total", "counter"), // v2, beside the contract
    ];

    [Fact]
    public async Task With_a_token_set_metrics_need_it_and_the_health_endpoints_stay_open()
    {
        await using var server = await RelayTestServer.StartAsync($"--Relay:Metrics:Token={MetricsToken}");
        using var anonymous = server.Client();

        using var none = await anonymous.GetAsync("/metrics", Ct);
        Assert.Equal(HttpStatusCode.Unauthorized, none.StatusCode);
        Assert.Equal("Bearer", Assert.Single(none.Headers.WwwAuthenticate).Scheme);
        Assert.DoesNotContain("relay_", await none.Content.ReadAsStringAsync(Ct), StringComparison.Ordinal);

        foreach (var wrong in new[] { server.AdminToken, MetricsToken + "x", MetricsToken[..^1] })
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, "/metrics");
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", wrong);
            using var refused = await anonymous.SendAsync(request, Ct);
            Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
        }

        using var scraper = server.Client(MetricsToken);
        using var scrape = await scraper.GetAsync("/metrics", Ct);
        Assert.Equal(HttpStatusCode.OK, scrape.StatusCode);
        Assert.Contains("# TYPE relay_hub_connections gauge", await scrape.Content.ReadAsStringAsync(Ct), StringComparison.Ordinal);

        Assert.Equal(HttpStatusCode.OK, (await anonymous.GetAsync("/healthz", Ct)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await anonymous.GetAsync("/readyz", Ct)).StatusCode);
        Assert.DoesNotContain(server.Logs.Lines, line => line.Contains(MetricsToken, StringComparison.Ordinal));
    }

    [Fact]
    public async Task Readyz_names_a_broken_store_with_a_short_reason_not_the_exception_text()
    {
        await using var server = await RelayTestServer.StartAsync();
        using var client = server.Client();
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/readyz", Ct)).StatusCode);

        // Break the store for real: the readiness probe's query now fails inside SQLite.
        server.AllowedErrors.AddRange(["Health check store with status Unhealthy", "no such table: channels"]);
        await using (var db = new SqliteConnection($"Data Source={Path.Combine(server.DataDir, "relay.db")};Pooling=false"))
        {
            await db.OpenAsync(Ct);
            await using var cmd = db.CreateCommand();
            cmd.CommandText = "ALTER TABLE channels RENAME TO channels_gone";
            await cmd.ExecuteNonQueryAsync(Ct);
        }

        using var ready = await client.GetAsync("/readyz", Ct);
        var body = await ready.Content.ReadAsStringAsync(Ct);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, ready.StatusCode);
        Assert.Contains("store unusable (see the log)", body, StringComparison.Ordinal);
        Assert.DoesNotContain("no such table", body, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("SQLite", body, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain(server.DataDir, body, StringComparison.Ordinal);
        // The operator still learns the cause, from the log.
        Assert.Contains(server.Logs.Lines, line => line.Contains("no such table: channels", StringComparison.Ordinal));
    }

    /// <summary>
    /// A fresh process (the metric registry is per process, so an in-process host would see what other tests
    /// touched): nothing live, no destination, no ffmpeg running, and still every contract family is there.
    /// </summary>
    [Fact]
    public async Task Every_contract_metric_has_help_and_type_on_the_first_scrape_of_a_fresh_relay()
    {
        using var dir = new TempDir();
        var httpPort = FreePort.Next();
        using var relay = await ChildRelay.StartAsync(Path.Combine(dir.Path, "data"), httpPort, FreePort.Next());
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };
        var text = await http.GetStringAsync($"http://127.0.0.1:{httpPort}/metrics", Ct);
        var lines = text.Split('\n');

        var missing = ContractMetrics
            .Where(m => !lines.Any(l => l.StartsWith($"# HELP {m.Name} ", StringComparison.Ordinal))
                || !lines.Contains($"# TYPE {m.Name} {m.Type}"))
            .Select(m => m.Name).ToList();
        Assert.True(missing.Count == 0, "missing from the first scrape: " + string.Join(", ", missing));

        // No ffmpeg runs, and the gauge says so per role rather than by absence.
        foreach (var role in new[] { "ingest", "hls", "egress" })
            Assert.Contains($"relay_ffmpeg_processes{{role=\"{role}\"}} 0", lines);
        Assert.Contains("relay_hub_connections 0", lines);
    }
}
