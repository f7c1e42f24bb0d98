namespace Relay.Tests.EndToEnd.Operations;

/// <summary>
/// The systemd unit in config/systemd is what docs/operations.md's commands drive: the unit's name, user, data
/// directory and binary agree with the runbook and the env example, and it never runs as root.
/// </summary>
public sealed class DeploymentFilesTests
{
    private static Dictionary<string, List<string>> Section(string unit, string name)
    {
        var values = new Dictionary<string, List<string>>(StringComparer.Ordinal);
        var inSection = false;
        foreach (var raw in unit.Split('\n'))
        {
            var line = raw.Trim();
            if (line.Length == 0 || line.StartsWith('#')) continue;
            if (line.StartsWith('[')) { inSection = line == $"[{name}]"; continue; }
            if (!inSection) continue;
            var eq = line.IndexOf('=');
            Assert.True(eq > 0, $"not a key=value line in [{name}]: {line}");
            var key = line[..eq];
            if (!values.TryGetValue(key, out var list)) values[key] = list = [];
            list.Add(line[(eq + 1)..]);
        }
        return values;
    }

    [Fact]
    public void The_systemd_unit_runs_relay_unprivileged_and_matches_the_runbook()
    {
        var unit = File.ReadAllText(PrometheusTools.ConfigPath("systemd", "relay.service"));
        var service = Section(unit, "Service");
        Assert.Equal("relay", service["User"].Single());
        Assert.Equal("yes", service["NoNewPrivileges"].Single());
        Assert.Equal("", service["CapabilityBoundingSet"].Single());
        Assert.Equal("strict", service["ProtectSystem"].Single());
        Assert.Equal("/var/lib/relay", service["ReadWritePaths"].Single());
        Assert.Contains("Relay__DataDir=/var/lib/relay", service["Environment"]);
        Assert.StartsWith("/opt/relay/Relay.Server ", service["ExecStart"].Single(), StringComparison.Ordinal);
        Assert.Equal("/etc/relay/relay.env", service["EnvironmentFile"].Single());
        Assert.Equal("multi-user.target", Section(unit, "Install")["WantedBy"].Single());

        var env = File.ReadAllLines(PrometheusTools.ConfigPath("systemd", "relay.env.example"))
            .Where(l => l.Length > 0 && !l.StartsWith('#')).ToList();
        Assert.All(env, l => Assert.Matches("^Relay__[A-Za-z0-9_]+=", l));
        Assert.Contains(env, l => l.StartsWith("Relay__PublicBaseUrl=https://", StringComparison.Ordinal));

        var runbook = File.ReadAllText(Path.Combine(PrometheusTools.RepoRoot, "docs", "operations.md"));
        foreach (var command in new[] { "systemctl restart relay", "journalctl -u relay", "systemctl status relay",
                     "config/systemd/relay.service", "config/proxy/Caddyfile", "/var/lib/relay" })
        {
            Assert.Contains(command, runbook, StringComparison.Ordinal);
        }
    }
}
