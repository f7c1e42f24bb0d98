using System.Diagnostics;
using System.Net;
using System.Text.Json;
using Relay.Tests.Common.Hosts;
using Relay.Tests.Integration.Cluster;

namespace Relay.Tests.Faults.Cluster;

/// <summary>
/// Issue 14 item 6, the engines killed under two nodes (<see cref="ClusterTestBed"/>): <c>kill -9</c> of Redis or of
/// PostgreSQL makes both nodes unready within seconds, <c>/readyz</c> naming the engine, without a crash (the
/// process lives, <c>/healthz</c> answers); the engine started again makes them ready again with no restart. And a node
/// killed with -9 drops out of <c>GET /api/v1/nodes</c> within its lease.
/// </summary>
[Trait("Category", "Faults")]
[Collection(ClusterCollection.Name)]
public sealed class EngineOutageTests(ITestOutputHelper output)
{
    /// <summary>A probe gives up after 2 s; a few more for the request itself on a loaded machine.</summary>
    private static readonly TimeSpan Unready = TimeSpan.FromSeconds(10);

    /// <summary>Redis reconnects within its backoff (1-5 s), Npgsql on the next pooled open.</summary>
    private static readonly TimeSpan Recovery = TimeSpan.FromSeconds(30);

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Redis_killed_makes_both_nodes_unready_naming_redis_and_they_recover_without_restart()
    {
        await using var bed = await ClusterTestBed.StartAsync(nodes: 2);
        // The readiness check's own log line and the SignalR backplane's lost connection (both once per occurrence).
        Allow(bed, "Health check redis with status Unhealthy", "RedisHubLifetimeManager[9]: Connection to Redis failed");
        var pids = bed.Nodes.Select(n => n.Relay.Pid).ToList();

        await bed.Redis.KillAsync();
        var clock = Stopwatch.StartNew();
        foreach (var node in bed.Nodes)
        {
            var answer = await ReadyzAsync(node, HttpStatusCode.ServiceUnavailable, Unready);
            Assert.Equal("unhealthy", answer.GetProperty("checks").GetProperty("redis").GetProperty("status").GetString());
            Assert.Contains("Redis unavailable", answer.GetProperty("checks").GetProperty("redis").GetProperty("description").GetString());
            Assert.Equal("healthy", answer.GetProperty("checks").GetProperty("postgres").GetProperty("status").GetString());
        }
        output.WriteLine($"both unready {clock.Elapsed.TotalSeconds:0.0} s after kill -9 of Redis");
        await AliveAsync(bed, pids);

        await bed.Redis.RestartAsync();
        clock.Restart();
        foreach (var node in bed.Nodes)
        {
            await ReadyzAsync(node, HttpStatusCode.OK, Recovery);
        }
        output.WriteLine($"both ready {clock.Elapsed.TotalSeconds:0.0} s after Redis restarted");
        // Redis came back empty: the heartbeats fill the registry again.
        using var admin = bed.Nodes[0].Admin();
        await NodeRegistryTests.NodesAsync(admin, want: 2, within: Recovery);
        Assert.Equal(pids, bed.Nodes.Select(n => n.Relay.Pid));
        ReportErrors(bed);
    }

    [Fact]
    public async Task Postgres_killed_makes_both_nodes_unready_naming_postgres_and_they_recover_without_restart()
    {
        await using var bed = await ClusterTestBed.StartAsync(nodes: 2);
        // The readiness checks' own log lines (the store check too where the catalog lives in PostgreSQL).
        // The order dispatcher cannot claim while the outbox is away: it logs each failed round and retries (event 5005).
        Allow(bed, "Health check postgres with status Unhealthy", "Health check store with status Unhealthy", "Order dispatcher loop failed",
            "The draw clock failed");
        var pids = bed.Nodes.Select(n => n.Relay.Pid).ToList();

        await bed.Postgres.KillAsync();
        var clock = Stopwatch.StartNew();
        foreach (var node in bed.Nodes)
        {
            var answer = await ReadyzAsync(node, HttpStatusCode.ServiceUnavailable, Unready);
            var postgres = answer.GetProperty("checks").GetProperty("postgres");
            Assert.Equal("unhealthy", postgres.GetProperty("status").GetString());
            Assert.Contains("PostgreSQL unavailable", postgres.GetProperty("description").GetString());
            Assert.DoesNotContain(bed.Postgres.Port.ToString(), answer.GetRawText(), StringComparison.Ordinal);
        }
        output.WriteLine($"both unready {clock.Elapsed.TotalSeconds:0.0} s after kill -9 of PostgreSQL");
        await AliveAsync(bed, pids);
        // The registry is in Redis: it keeps listing both nodes, each marked not ready by its own heartbeat.
        using var admin = bed.Nodes[0].Admin();
        await WaitAsync(async () =>
        {
            var nodes = await NodeRegistryTests.NodesAsync(admin, want: 2);
            return nodes.All(n => !n.GetProperty("ready").GetBoolean());
        }, "both nodes listed as not ready", Unready);

        await bed.Postgres.RestartAsync();
        clock.Restart();
        foreach (var node in bed.Nodes)
        {
            await ReadyzAsync(node, HttpStatusCode.OK, Recovery);
        }
        output.WriteLine($"both ready {clock.Elapsed.TotalSeconds:0.0} s after PostgreSQL restarted");
        await WaitAsync(async () => (await NodeRegistryTests.NodesAsync(admin, want: 2)).All(n => n.GetProperty("ready").GetBoolean()),
            "both nodes listed as ready again", Recovery);
        Assert.Equal(pids, bed.Nodes.Select(n => n.Relay.Pid));
        ReportErrors(bed);
    }

    [Fact]
    public async Task A_node_killed_with_9_drops_out_of_the_list_within_its_lease()
    {
        await using var bed = await ClusterTestBed.StartAsync(nodes: 2);
        using var admin = bed.Nodes[0].Admin();
        await NodeRegistryTests.NodesAsync(admin, want: 2);

        await bed.Nodes[1].KillAsync();
        var clock = Stopwatch.StartNew();
        // The entry was renewed at most a lease ago; a second of margin for the poll and a loaded machine.
        var left = await NodeRegistryTests.NodesAsync(admin, want: 1, within: TimeSpan.FromSeconds(ClusterTestBed.LeaseSeconds + 1));
        output.WriteLine($"node-b gone from the list {clock.Elapsed.TotalSeconds:0.0} s after kill -9 (lease {ClusterTestBed.LeaseSeconds} s)");
        Assert.Equal("node-a", left.Single().GetProperty("id").GetString());
        using var anonymous = new HttpClient { BaseAddress = bed.Nodes[0].BaseUrl };
        await WaitAsync(async () => (await anonymous.GetStringAsync("/metrics", Ct)).Contains("relay_cluster_nodes{node=\"node-a\"} 1", StringComparison.Ordinal),
            "relay_cluster_nodes reads 1 on node-a", TimeSpan.FromSeconds(ClusterTestBed.LeaseSeconds + 2));
    }

    /// <summary>The error lines the outage provoked (allowed above), for the record.</summary>
    private void ReportErrors(ClusterTestBed bed)
    {
        foreach (var node in bed.Nodes)
        {
            var errors = node.Relay.Logs.Errors.Select(e => System.Text.RegularExpressions.Regex.Replace(e.Length > 160 ? e[..160] : e, @"[0-9.]+ms", "Nms")).GroupBy(e => e).Select(g => $"{g.Count()} x {g.Key}").ToList();
            output.WriteLine($"{node.Id}: {errors.Count} distinct error lines");
            errors.ForEach(output.WriteLine);
        }
    }

    private static void Allow(ClusterTestBed bed, params string[] errors)
    {
        foreach (var node in bed.Nodes)
        {
            node.AllowedErrors.AddRange(errors);
            node.Relay.AllowedErrors.AddRange(errors);
        }
    }

    /// <summary>Neither node crashed: same process, liveness answers.</summary>
    private static async Task AliveAsync(ClusterTestBed bed, List<int> pids)
    {
        Assert.Equal(pids, bed.Nodes.Select(n => n.Relay.Pid));
        foreach (var node in bed.Nodes)
        {
            using (var process = Process.GetProcessById(node.Relay.Pid))
            {
                Assert.False(process.HasExited, $"{node.Id} exited:\n{node.Relay.Output}");
            }
            using var http = new HttpClient { BaseAddress = node.BaseUrl };
            Assert.Equal(HttpStatusCode.OK, (await http.GetAsync("/healthz", Ct)).StatusCode);
        }
    }

    private static async Task<JsonElement> ReadyzAsync(ClusterTestNode node, HttpStatusCode want, TimeSpan within)
    {
        using var http = new HttpClient { BaseAddress = node.BaseUrl, Timeout = TimeSpan.FromSeconds(5) };
        var deadline = Stopwatch.StartNew();
        var last = "";
        while (true)
        {
            try
            {
                using var response = await http.GetAsync("/readyz", Ct);
                var body = await response.Content.ReadAsStringAsync(Ct);
                last = $"{(int)response.StatusCode} {body}";
                if (response.StatusCode == want)
                {
                    return JsonDocument.Parse(body).RootElement.Clone();
                }
            }
            catch (TaskCanceledException) when (!Ct.IsCancellationRequested)
            {
                last = "no answer within 5 s";
            }

            Assert.True(deadline.Elapsed < within, $"{node.Id}: /readyz did not answer {(int)want} within {within.TotalSeconds} s; last: {last}");
            await Task.Delay(200, Ct);
        }
    }

    private static async Task WaitAsync(Func<Task<bool>> condition, string what, TimeSpan within)
    {
        var deadline = Stopwatch.StartNew();
        while (!await condition())
        {
            Assert.True(deadline.Elapsed < within, $"not within {within.TotalSeconds} s: {what}");
            await Task.Delay(200, Ct);
        }
    }
}
