using System.Text.Json;
using System.Text.RegularExpressions;

namespace Relay.Tests.EndToEnd.Operations;

/// <summary>The committed Prometheus config, rules and rule unit tests, checked by Prometheus' own promtool.</summary>
public sealed class PromtoolTests
{
    private static string PrometheusDir => PrometheusTools.ConfigPath("prometheus");

    [Fact]
    public async Task Promtool_accepts_the_scrape_config_and_the_rules()
    {
        PrometheusTools.SkipIfPromtoolMissing();
        var config = await PrometheusTools.RunAsync(PrometheusTools.PromtoolPath, "check config prometheus.yml", PrometheusDir, TimeSpan.FromSeconds(30));
        Assert.True(config.ExitCode == 0, config.Output);
        // check config also loads rule_files: a renamed rules file would fail here, not only in production.
        Assert.Contains("1 rule files found", config.Output);

        var rules = await PrometheusTools.RunAsync(PrometheusTools.PromtoolPath, "check rules relay.rules.yml", PrometheusDir, TimeSpan.FromSeconds(30));
        Assert.True(rules.ExitCode == 0, rules.Output);
        Assert.Matches(@"SUCCESS: \d+ rules found", rules.Output);
    }

    /// <summary>The cluster compose's scrape config (config/compose/prometheus-cluster.yml) with the same rules.</summary>
    [Fact]
    public async Task Promtool_accepts_the_cluster_scrape_config()
    {
        PrometheusTools.SkipIfPromtoolMissing();
        using var dir = new Relay.Tests.Common.TempDir("relay-prom-cluster");
        File.Copy(PrometheusTools.ConfigPath("compose", "prometheus-cluster.yml"), Path.Combine(dir.Path, "prometheus.yml"));
        File.Copy(Path.Combine(PrometheusDir, "relay.rules.yml"), Path.Combine(dir.Path, "relay.rules.yml"));
        var run = await PrometheusTools.RunAsync(PrometheusTools.PromtoolPath, "check config prometheus.yml", dir.Path, TimeSpan.FromSeconds(30));
        Assert.True(run.ExitCode == 0, run.Output);
        Assert.Contains("1 rule files found", run.Output);
    }

    [Fact]
    public async Task Promtool_rule_unit_tests_pass()
    {
        PrometheusTools.SkipIfPromtoolMissing();
        var files = Directory.GetFiles(Path.Combine(PrometheusDir, "tests"), "*.yml").Select(f => Path.GetRelativePath(PrometheusDir, f)).Order().ToList();
        Assert.NotEmpty(files);
        var run = await PrometheusTools.RunAsync(PrometheusTools.PromtoolPath, "test rules " + string.Join(' ', files), PrometheusDir, TimeSpan.FromSeconds(60));
        Assert.True(run.ExitCode == 0, run.Output);
        Assert.Equal(files.Count, Regex.Matches(run.Output, @"^\s+SUCCESS\s*$", RegexOptions.Multiline).Count);
    }

    [Fact]
    public void Every_alert_has_a_runbook_url_a_firing_and_a_quiet_unit_test_and_a_documented_runbook()
    {
        var rules = File.ReadAllText(Path.Combine(PrometheusDir, "relay.rules.yml"));
        var tests = string.Join('\n', Directory.GetFiles(Path.Combine(PrometheusDir, "tests"), "*.yml").Select(File.ReadAllText));
        var operations = File.ReadAllText(Path.Combine(PrometheusTools.RepoRoot, "docs", "operations.md"));
        var headings = Regex.Matches(operations, @"^#+\s+(\S+)\s*$", RegexOptions.Multiline).Select(m => m.Groups[1].Value.ToLowerInvariant()).ToHashSet();

        var blocks = Regex.Split(rules, @"(?=^[ \t]+- alert: )", RegexOptions.Multiline).Skip(1).ToList();
        Assert.True(blocks.Count >= 12, $"only {blocks.Count} alerts");
        var problems = new List<string>();
        foreach (var block in blocks)
        {
            var name = Regex.Match(block, @"- alert: (\w+)").Groups[1].Value;
            foreach (var key in new[] { "summary:", "description:", "severity:" })
            {
                if (!block.Contains(key, StringComparison.Ordinal)) problems.Add($"{name}: no {key}");
            }
            // A link, not prose: the runbook itself is the section in docs/operations.md.
            var runbook = Regex.Match(block, @"runbook_url: ""docs/operations\.md#([a-z0-9-]+)""");
            if (!runbook.Success) problems.Add($"{name}: no runbook_url annotation linking docs/operations.md#anchor");
            if (Regex.IsMatch(block, @"^\s+runbook:", RegexOptions.Multiline)) problems.Add($"{name}: a prose runbook annotation (use runbook_url)");
            else if (runbook.Groups[1].Value != name.ToLowerInvariant()) problems.Add($"{name}: runbook anchor {runbook.Groups[1].Value}");
            if (!headings.Contains(name.ToLowerInvariant())) problems.Add($"{name}: no '### {name}' section in docs/operations.md");
            if (!Regex.IsMatch(tests, $@"alertname: {name}\s*\n\s*exp_alerts:\s*\n\s*- exp_labels:")) problems.Add($"{name}: no unit test where it fires");
            if (!Regex.IsMatch(tests, $@"alertname: {name}\s*\n\s*exp_alerts: \[\]")) problems.Add($"{name}: no unit test where it stays quiet");
        }
        Assert.True(problems.Count == 0, string.Join('\n', problems));
    }

    [Fact]
    public void Every_relay_metric_used_by_rules_and_dashboard_is_in_the_catalogue()
    {
        var catalogue = File.ReadAllText(Path.Combine(PrometheusTools.RepoRoot, "docs", "metrics.md"));
        var used = new[]
            {
                File.ReadAllText(Path.Combine(PrometheusDir, "relay.rules.yml")),
                File.ReadAllText(PrometheusTools.ConfigPath("grafana", "dashboards", "relay.json")),
            }
            // Recording rule names (level:metric:operation) are not metrics; the lookarounds skip them.
            .SelectMany(text => Regex.Matches(text, @"(?<![\w:])relay_[a-z_]+\b(?!:)").Select(m => m.Value))
            // Histogram series are catalogued under the histogram's name.
            .Select(name => Regex.Replace(name, "_(bucket|count|sum)$", ""))
            .ToHashSet();
        Assert.NotEmpty(used);
        var missing = used.Where(name => !catalogue.Contains($"`{name}`", StringComparison.Ordinal)).Order().ToList();
        Assert.True(missing.Count == 0, "not in docs/metrics.md: " + string.Join(", ", missing));
    }

    [Fact]
    public void Dashboard_is_provisionable_and_every_panel_has_a_query_and_a_description()
    {
        var dashboard = JsonDocument.Parse(File.ReadAllText(PrometheusTools.ConfigPath("grafana", "dashboards", "relay.json"))).RootElement;
        Assert.Equal("relay-overview", dashboard.GetProperty("uid").GetString());
        var variables = dashboard.GetProperty("templating").GetProperty("list").EnumerateArray().Select(v => v.GetProperty("name").GetString()).ToList();
        Assert.Contains("channel", variables);
        Assert.Contains("datasource", variables);
        Assert.Contains("node", variables);
        // The Nodes row: a panel per node for each of CPU, memory, hub connections and live channels (sum by node).
        Assert.Single(dashboard.GetProperty("panels").EnumerateArray(), p => p.GetProperty("type").GetString() == "row" && p.GetProperty("title").GetString() == "Nodes");
        var perNode = DashboardQueries.Panels(dashboard).Where(p => p.Exprs.Any(e => e.Contains("by (node)", StringComparison.Ordinal) && e.Contains("node=~\"$node\"", StringComparison.Ordinal))).ToList();
        Assert.True(perNode.Count >= 4, $"{perNode.Count} per-node panels");

        var panels = DashboardQueries.Panels(dashboard).ToList();
        Assert.True(panels.Count >= 20, $"{panels.Count} panels");
        foreach (var panel in panels)
        {
            Assert.False(string.IsNullOrWhiteSpace(panel.Description), $"panel '{panel.Title}' has no description");
            Assert.NotEmpty(panel.Exprs);
        }
        // Grid positions must not overlap, or Grafana silently reflows the layout.
        var cells = new HashSet<(int, int)>();
        foreach (var p in dashboard.GetProperty("panels").EnumerateArray())
        {
            var g = p.GetProperty("gridPos");
            for (var x = g.GetProperty("x").GetInt32(); x < g.GetProperty("x").GetInt32() + g.GetProperty("w").GetInt32(); x++)
            for (var y = g.GetProperty("y").GetInt32(); y < g.GetProperty("y").GetInt32() + g.GetProperty("h").GetInt32(); y++)
                Assert.True(cells.Add((x, y)), $"panel '{p.GetProperty("title").GetString()}' overlaps another at {x},{y}");
        }

        var datasource = File.ReadAllText(PrometheusTools.ConfigPath("grafana", "provisioning", "datasources", "prometheus.yml"));
        var scrape = File.ReadAllText(PrometheusTools.ConfigPath("prometheus", "prometheus.yml"));
        // Grafana computes $__rate_interval from the datasource's timeInterval: it must be the real scrape interval.
        var interval = Regex.Match(scrape, @"scrape_interval: (\S+)").Groups[1].Value;
        Assert.Contains($"timeInterval: {interval}", datasource);
    }
}

internal sealed record DashboardPanel(string Title, string Description, IReadOnlyList<string> Exprs)
{
    /// <summary>Each target's legendFormat ("{{destination}}"), null where the target has none; same order as Exprs.</summary>
    public IReadOnlyList<string?> Legends { get; init; } = [];
}

internal static class DashboardQueries
{
    public static IEnumerable<DashboardPanel> Panels(JsonElement dashboard)
    {
        foreach (var panel in Flatten(dashboard.GetProperty("panels")))
        {
            if (panel.GetProperty("type").GetString() == "row")
            {
                continue;
            }
            var exprs = panel.TryGetProperty("targets", out var targets)
                ? targets.EnumerateArray().Select(t => t.GetProperty("expr").GetString()!).ToList()
                : [];
            var legends = panel.TryGetProperty("targets", out var ts)
                ? ts.EnumerateArray().Select(t => t.TryGetProperty("legendFormat", out var l) ? l.GetString() : null).ToList()
                : [];
            yield return new DashboardPanel(panel.GetProperty("title").GetString()!,
                panel.TryGetProperty("description", out var d) ? d.GetString() ?? "" : "", exprs) { Legends = legends };
        }
    }

    /// <summary>Grafana's variables replaced the way Grafana would for one channel and a 1 s scrape interval.</summary>
    public static string Substitute(string expr, string channel, string job, TimeSpan range)
    {
        var result = expr
            .Replace("$__rate_interval", "4s", StringComparison.Ordinal)
            .Replace("$__interval", "2s", StringComparison.Ordinal)
            .Replace("$__range", $"{(int)range.TotalSeconds}s", StringComparison.Ordinal)
            .Replace("$channel", channel, StringComparison.Ordinal)
            .Replace("$job", job, StringComparison.Ordinal)
            // All nodes: ".*" also matches the embedded default's series, which carry no node label.
            .Replace("$node", ".*", StringComparison.Ordinal);
        Assert.False(result.Contains('$'), $"unknown variable left in '{result}'");
        return result;
    }

    private static IEnumerable<JsonElement> Flatten(JsonElement panels)
    {
        foreach (var panel in panels.EnumerateArray())
        {
            yield return panel;
            if (panel.TryGetProperty("panels", out var nested))
            {
                foreach (var inner in Flatten(nested)) yield return inner;
            }
        }
    }
}
