using System.Net;
using System.Text.Json;
using Relay.Tests.Common.Hosts;

namespace Relay.Tests.Integration.Cluster;

/// <summary>
/// Issue 14 item 1 ("nodes"): <c>GET /api/v1/nodes</c> lists the nodes alive (the one process on the embedded default),
/// <c>/readyz</c> checks PostgreSQL and Redis on a node of a cluster, and per-node series carry <c>node</c>.
/// </summary>
[Collection(ClusterCollection.Name)]
public sealed class NodeRegistryTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Two_nodes_list_each_other_are_ready_on_both_engines_and_label_their_series()
    {
        await using var bed = await ClusterTestBed.StartAsync(nodes: 2);
        foreach (var node in bed.Nodes)
        {
            using var admin = node.Admin();
            var nodes = await NodesAsync(admin, want: 2);
            Assert.Equal(["node-a", "node-b"], nodes.Select(n => n.GetProperty("id").GetString()));
            foreach (var (entry, expected) in nodes.Zip(bed.Nodes))
            {
                Assert.Equal(expected.BaseUrl.ToString().TrimEnd('/'), entry.GetProperty("internalUrl").GetString());
                Assert.True(entry.GetProperty("ready").GetBoolean());
                Assert.Equal(0, entry.GetProperty("liveChannels").GetInt32());
                Assert.Equal(0, entry.GetProperty("connections").GetInt32());
                Assert.False(string.IsNullOrEmpty(entry.GetProperty("version").GetString()));
                Assert.True(entry.GetProperty("lastSeen").GetDateTimeOffset() >= entry.GetProperty("startedAt").GetDateTimeOffset());
            }

            using var anonymous = new HttpClient { BaseAddress = node.BaseUrl };
            Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.GetAsync("/api/v1/nodes", Ct)).StatusCode);

            using var ready = await anonymous.GetAsync("/readyz", Ct);
            var body = await ready.Content.ReadAsStringAsync(Ct);
            Assert.Equal(HttpStatusCode.OK, ready.StatusCode);
            var checks = JsonDocument.Parse(body).RootElement.GetProperty("checks");
            Assert.Equal("healthy", checks.GetProperty("postgres").GetProperty("status").GetString());
            Assert.Equal("healthy", checks.GetProperty("redis").GetProperty("status").GetString());
            Assert.DoesNotContain(bed.Postgres.Port.ToString(), body, StringComparison.Ordinal);
            Assert.DoesNotContain(bed.Redis.Port.ToString(), body, StringComparison.Ordinal);

            // The gauge is the count a node's heartbeat (every third of the lease) last read: the first node reads 2 from
            // its first heartbeat after the second one registered.
            var metrics = await anonymous.GetStringAsync("/metrics", Ct);
            var until = DateTime.UtcNow + TimeSpan.FromSeconds(ClusterTestBed.LeaseSeconds + 2);
            while (!metrics.Contains($"relay_cluster_nodes{{node=\"{node.Id}\"}} 2", StringComparison.Ordinal) && DateTime.UtcNow < until)
            {
                await Task.Delay(200, Ct);
                metrics = await anonymous.GetStringAsync("/metrics", Ct);
            }

            Assert.Contains($"relay_cluster_nodes{{node=\"{node.Id}\"}} 2", metrics);
            Assert.Contains($"relay_dependency_up{{dependency=\"postgres\",node=\"{node.Id}\"}} 1", metrics);
            Assert.Contains($"relay_dependency_up{{dependency=\"redis\",node=\"{node.Id}\"}} 1", metrics);
            Assert.Contains($"relay_hub_connections{{node=\"{node.Id}\"}} 0", metrics);
            // Every sample line of the process carries the label (prometheus-net's own and the runtime's too).
            var unlabelled = metrics.Split('\n').Where(l => l.Length > 0 && l[0] != '#' && !l.Contains($"node=\"{node.Id}\"", StringComparison.Ordinal)).ToList();
            Assert.True(unlabelled.Count == 0, "series without the node label:\n" + string.Join('\n', unlabelled.Take(10)));
        }
    }

    [Fact]
    public async Task A_node_stopped_cleanly_leaves_the_list_at_once_and_rejoins_when_it_starts_again()
    {
        await using var bed = await ClusterTestBed.StartAsync(nodes: 2);
        using var admin = bed.Nodes[0].Admin();
        await NodesAsync(admin, want: 2);

        // SIGTERM, as systemd or Kubernetes stop a node: the host shuts down and the heartbeat removes the entry.
        var pid = bed.Nodes[1].Relay.Pid;
        await Relay.Tests.Common.Tools.RunAsync("kill", "-TERM", pid.ToString(System.Globalization.CultureInfo.InvariantCulture));
        using (var process = System.Diagnostics.Process.GetProcessById(pid))
        {
            await process.WaitForExitAsync(Ct).WaitAsync(TimeSpan.FromSeconds(15), Ct);
        }
        // Well under one lease.
        var left = await NodesAsync(admin, want: 1, within: TimeSpan.FromSeconds(ClusterTestBed.LeaseSeconds - 1));
        Assert.Equal("node-a", left.Single().GetProperty("id").GetString());
        for (var i = 0; i < 50 && !bed.Nodes[1].Relay.Output.Contains("left the registry on shutdown", StringComparison.Ordinal); i++)
        {
            await Task.Delay(100, Ct);
        }
        Assert.Contains("left the registry on shutdown", bed.Nodes[1].Relay.Output, StringComparison.Ordinal);

        await bed.Nodes[1].RestartAsync();
        await NodesAsync(admin, want: 2);
    }

    [Fact]
    public async Task The_embedded_default_lists_its_one_process_and_exports_one_node_without_a_node_label()
    {
        await using var server = await RelayTestServer.StartAsync();
        using var admin = server.AdminClient();
        var nodes = await NodesAsync(admin, want: 1);
        var only = nodes.Single();
        Assert.True(only.GetProperty("ready").GetBoolean());
        Assert.Equal(System.Net.Dns.GetHostName(), only.GetProperty("id").GetString());

        using var anonymous = server.Client();
        var readyz = await anonymous.GetStringAsync("/readyz", Ct);
        Assert.DoesNotContain("redis", readyz, StringComparison.Ordinal);
        Assert.DoesNotContain("postgres", readyz, StringComparison.Ordinal);
        var metrics = await anonymous.GetStringAsync("/metrics", Ct);
        Assert.Contains("relay_cluster_nodes 1", metrics);
        Assert.DoesNotContain("node=\"", metrics, StringComparison.Ordinal);
    }

    /// <summary>Polls <c>GET /api/v1/nodes</c> until it lists <paramref name="want"/> nodes; returns them.</summary>
    internal static async Task<List<JsonElement>> NodesAsync(HttpClient admin, int want, TimeSpan? within = null)
    {
        var deadline = DateTime.UtcNow + (within ?? TimeSpan.FromSeconds(15));
        var last = "";
        while (true)
        {
            using var response = await admin.GetAsync("/api/v1/nodes", Ct);
            last = $"{(int)response.StatusCode} {await response.Content.ReadAsStringAsync(Ct)}";
            if (response.IsSuccessStatusCode)
            {
                var nodes = JsonDocument.Parse(await response.Content.ReadAsStringAsync(Ct)).RootElement.EnumerateArray().Select(e => e.Clone()).ToList();
                if (nodes.Count == want)
                {
                    return nodes;
                }
            }

            if (DateTime.UtcNow > deadline)
            {
                Assert.Fail($"GET /api/v1/nodes did not list {want} node(s) in time; last answer: {last}");
            }

            await Task.Delay(200, Ct);
        }
    }
}
