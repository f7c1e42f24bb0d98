using Relay.Tests.Common.Hosts;
using System.Text.RegularExpressions;
using Relay.Tests.Common;
using Relay.Tests.Common.Peers;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace Relay.Tests.Integration.Cluster;

/// <summary>
/// Issue 14 item 5: the committed deployment of several nodes, read as Docker Compose and Kubernetes read it (Docker
/// cannot run here): two nodes with the same admin token and distinct <c>Relay:Node:Id</c>, the engines, the load
/// balancer's ports and its nginx config (<c>nginx -t</c> with loopback upstreams), Prometheus scraping each node; the
/// manifests' replicas, probes, ports, Services and non-root security context. The single-node compose still parses.
/// </summary>
[Collection(ClusterCollection.Name)]
public sealed class ClusterDeploymentFilesTests
{
    private static readonly string[] RelayNodes = ["relay-a", "relay-b"];

    private static string Compose(string file) => Path.Combine(ClusterLoadBalancer.RepoRoot, "config", "compose", file);

    private static string K8s => Path.Combine(ClusterLoadBalancer.RepoRoot, "config", "k8s");

    [Fact]
    public void Compose_runs_two_nodes_with_one_admin_token_distinct_ids_and_both_engines()
    {
        var services = (YamlMappingNode)LoadMerged(Compose("docker-compose.cluster.yml"))["services"];
        foreach (var name in new[] { "relay-a", "relay-b", "loadbalancer", "postgres", "redis", "prometheus", "grafana" })
        {
            Assert.True(services.Children.ContainsKey(name), $"service {name} missing");
        }

        var env = RelayNodes.ToDictionary(n => n, n => Strings((YamlMappingNode)Map(services, n)["environment"]));
        var shared = new[] { "Relay__Auth__AdminToken", "Relay__Postgres__ConnectionString", "Relay__Redis__Configuration", "Relay__Node__LeaseSeconds" };
        foreach (var key in shared)
        {
            Assert.Equal(env["relay-a"][key], env["relay-b"][key]);
        }
        // The token must be given (a generated one would differ per node) and no password is written in the file.
        Assert.Matches(@"^\$\{RELAY_ADMIN_TOKEN:\?", env["relay-a"]["Relay__Auth__AdminToken"]);
        Assert.Contains("Password=${POSTGRES_PASSWORD:?", env["relay-a"]["Relay__Postgres__ConnectionString"]);
        Assert.Equal("redis:6379", env["relay-a"]["Relay__Redis__Configuration"]);
        Assert.StartsWith("Host=postgres;", env["relay-a"]["Relay__Postgres__ConnectionString"]);
        Assert.Equal(RelayNodes, RelayNodes.Select(n => env[n]["Relay__Node__Id"]));
        Assert.Equal(RelayNodes.Select(n => $"http://{n}:8080"), RelayNodes.Select(n => env[n]["Relay__Node__InternalUrl"]));

        var balancer = Map(services, "loadbalancer");
        var address = Scalar(Map(Map(balancer, "networks"), "relay"), "ipv4_address");
        foreach (var node in RelayNodes)
        {
            var service = Map(services, node);
            Assert.Equal(address, env[node]["Relay__ForwardedHeaders__KnownProxies__0"]);
            Assert.Equal("http://0.0.0.0:8080", env[node]["ASPNETCORE_URLS"]);
            // Reached through the load balancer only; healthy = ready.
            Assert.False(service.Children.ContainsKey("ports"), $"{node} publishes ports of its own");
            Assert.Equal(["8080", "1935"], Sequence(service["expose"]));
            Assert.Contains("http://127.0.0.1:8080/readyz", Sequence(Map(service, "healthcheck")["test"]));
            var volumes = Sequence(service["volumes"]);
            Assert.Contains($"{node}-data:/data", volumes);
            Assert.Contains("relay-keys:/data/keys", volumes);
            var dependsOn = Map(service, "depends_on");
            Assert.Equal("service_healthy", ((YamlScalarNode)Map(dependsOn, "postgres")["condition"]).Value);
            Assert.Equal("service_healthy", ((YamlScalarNode)Map(dependsOn, "redis")["condition"]).Value);
        }

        Assert.Equal(["8080:8080", "1935:1935"], Sequence(balancer["ports"]));
        Assert.Contains("./nginx-cluster.conf:/etc/nginx/nginx.conf:ro", Sequence(balancer["volumes"]));
        Assert.Contains("./prometheus-cluster.yml:/etc/prometheus/prometheus.yml:ro", Sequence(Map(services, "prometheus")["volumes"]));
        Assert.Contains("../prometheus/relay.rules.yml:/etc/prometheus/relay.rules.yml:ro", Sequence(Map(services, "prometheus")["volumes"]));
    }

    [Fact]
    public void The_load_balancer_and_prometheus_name_exactly_the_compose_nodes()
    {
        var nginx = File.ReadAllText(ClusterLoadBalancer.CommittedConfigPath);
        Assert.Equal(RelayNodes.Select(n => $"{n}:1935"), Regex.Matches(nginx, @"server (relay-[a-z]+:1935)").Select(m => m.Groups[1].Value));
        Assert.Equal(RelayNodes.Select(n => $"{n}:8080"), Regex.Matches(nginx, @"server (relay-[a-z]+:8080)").Select(m => m.Groups[1].Value));
        Assert.Contains("listen 1935;", nginx);
        Assert.Contains("listen 8080;", nginx);
        // Sticky HTTP (negotiate and WebSocket on one node), WebSocket upgrade for the hub, unbuffered HTTP-FLV.
        Assert.Contains("hash $remote_addr consistent;", nginx);
        var hub = Regex.Match(nginx, @"location /hubs/ \{(?<body>[^}]*)\}").Groups["body"].Value;
        Assert.Contains("proxy_set_header Upgrade $http_upgrade;", hub);
        Assert.Contains("proxy_set_header Connection $connection_upgrade;", hub);
        Assert.Contains("proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;", hub);
        Assert.Contains("proxy_buffering off;", Regex.Match(nginx, @"location /live/ \{(?<body>[^}]*)\}").Groups["body"].Value);

        var prometheus = LoadMerged(Compose("prometheus-cluster.yml"));
        var job = (YamlMappingNode)((YamlSequenceNode)prometheus["scrape_configs"]).Children.Single();
        Assert.Equal("relay", ((YamlScalarNode)job["job_name"]).Value);
        Assert.Equal(RelayNodes.Select(n => $"{n}:8080"), Sequence(((YamlMappingNode)((YamlSequenceNode)job["static_configs"]).Children.Single())["targets"]));
    }

    [Fact]
    public async Task Nginx_accepts_the_committed_load_balancer_config_with_loopback_upstreams()
    {
        ClusterLoadBalancer.SkipIfMissing();
        using var dir = new TempDir("relay-lb-check");
        var path = await ClusterLoadBalancer.WriteLocalizedAsync(dir.Path, [(FreePort.Next(), FreePort.Next()), (FreePort.Next(), FreePort.Next())], FreePort.Next(), FreePort.Next());
        var (exitCode, output) = await ClusterLoadBalancer.CheckAsync(path);
        Assert.True(exitCode == 0, output);
        Assert.Contains("test is successful", output);
    }

    [Fact]
    public void The_single_node_compose_is_unchanged_in_shape()
    {
        var services = (YamlMappingNode)LoadMerged(Compose("docker-compose.yml"))["services"];
        var relay = Map(services, "relay");
        Assert.Equal(["8080:8080", "1935:1935"], Sequence(relay["ports"]).Select(p => p.Split('#')[0].Trim()));
        var env = Strings((YamlMappingNode)relay["environment"]);
        Assert.False(env.ContainsKey("Relay__Postgres__ConnectionString"));
        Assert.False(env.ContainsKey("Relay__Redis__Configuration"));
    }

    [Fact]
    public void Kubernetes_runs_two_non_root_replicas_with_probes_ports_and_distinct_node_ids()
    {
        var docs = KubernetesDocuments();
        var deployment = docs.Single(d => Kind(d) == "Deployment");
        var spec = Map(deployment, "spec");
        Assert.Equal("2", Scalar(spec, "replicas"));
        var podLabels = Strings(Map(Map(Map(spec, "template"), "metadata"), "labels"));
        Assert.Equal(podLabels, Strings(Map(Map(spec, "selector"), "matchLabels")));
        var pod = Map(Map(spec, "template"), "spec");
        var podSecurity = Map(pod, "securityContext");
        Assert.Equal("true", Scalar(podSecurity, "runAsNonRoot"));
        Assert.NotEqual("0", Scalar(podSecurity, "runAsUser"));

        var container = (YamlMappingNode)((YamlSequenceNode)pod["containers"]).Children.Single();
        var security = Map(container, "securityContext");
        Assert.Equal("true", Scalar(security, "readOnlyRootFilesystem"));
        Assert.Equal("false", Scalar(security, "allowPrivilegeEscalation"));
        Assert.Equal(["ALL"], Sequence(Map(security, "capabilities")["drop"]));

        var ports = ((YamlSequenceNode)container["ports"]).Children.Cast<YamlMappingNode>().ToDictionary(p => Scalar(p, "name"), p => Scalar(p, "containerPort"));
        Assert.Equal(new Dictionary<string, string> { ["http"] = "8080", ["rtmp"] = "1935" }, ports);
        Assert.Equal("/healthz", Scalar(Map(Map(container, "livenessProbe"), "httpGet"), "path"));
        Assert.Equal("/readyz", Scalar(Map(Map(container, "readinessProbe"), "httpGet"), "path"));
        Assert.Equal("http", Scalar(Map(Map(container, "readinessProbe"), "httpGet"), "port"));

        // Each pod its own node id and address, from the downward API; every pod the same Secret (one admin token).
        var env = ((YamlSequenceNode)container["env"]).Children.Cast<YamlMappingNode>().ToDictionary(e => Scalar(e, "name"));
        Assert.Equal("metadata.name", Scalar(Map(Map(env["POD_NAME"], "valueFrom"), "fieldRef"), "fieldPath"));
        Assert.Equal("status.podIP", Scalar(Map(Map(env["POD_IP"], "valueFrom"), "fieldRef"), "fieldPath"));
        Assert.Equal("$(POD_NAME)", Scalar(env["Relay__Node__Id"], "value"));
        Assert.Equal("http://$(POD_IP):8080", Scalar(env["Relay__Node__InternalUrl"], "value"));
        var envFrom = ((YamlSequenceNode)container["envFrom"]).Children.Cast<YamlMappingNode>().ToList();
        Assert.Contains(envFrom, e => e.Children.ContainsKey("secretRef") && Scalar(Map(e, "secretRef"), "name") == "relay-secrets");
        Assert.Contains(envFrom, e => e.Children.ContainsKey("configMapRef") && Scalar(Map(e, "configMapRef"), "name") == "relay-config");

        // The root filesystem is read-only: DataDir and /tmp are volumes.
        var mounts = ((YamlSequenceNode)container["volumeMounts"]).Children.Cast<YamlMappingNode>().Select(m => Scalar(m, "mountPath")).ToList();
        Assert.Contains("/data", mounts);
        Assert.Contains("/tmp", mounts);

        var secret = docs.Single(d => Kind(d) == "Secret");
        var secretKeys = Strings(Map(secret, "stringData")).Keys.ToList();
        foreach (var key in new[] { "Relay__Auth__AdminToken", "Relay__Postgres__ConnectionString", "Relay__Redis__Configuration" })
        {
            Assert.Contains(key, secretKeys);
        }
        var config = Strings(Map(docs.Single(d => Kind(d) == "ConfigMap"), "data"));
        Assert.DoesNotContain(config.Keys, k => k.Contains("Token", StringComparison.Ordinal) || k.Contains("Postgres", StringComparison.Ordinal) || k.Contains("Redis", StringComparison.Ordinal));
        Assert.Equal("/data", config["Relay__DataDir"]);
    }

    [Fact]
    public void Kubernetes_services_offer_rtmp_on_a_tcp_load_balancer_and_http_to_the_same_pods()
    {
        var docs = KubernetesDocuments();
        var podLabels = Strings(Map(Map(Map(Map(docs.Single(d => Kind(d) == "Deployment"), "spec"), "template"), "metadata"), "labels"));
        var services = docs.Where(d => Kind(d) == "Service").ToDictionary(s => Scalar(Map(s, "metadata"), "name"));
        var rtmp = Map(services["relay-rtmp"], "spec");
        Assert.Equal("LoadBalancer", Scalar(rtmp, "type"));
        var rtmpPort = (YamlMappingNode)((YamlSequenceNode)rtmp["ports"]).Children.Single();
        Assert.Equal(("TCP", "1935", "rtmp"), (Scalar(rtmpPort, "protocol"), Scalar(rtmpPort, "port"), Scalar(rtmpPort, "targetPort")));
        var http = Map(services["relay-http"], "spec");
        Assert.Equal("http", Scalar((YamlMappingNode)((YamlSequenceNode)http["ports"]).Children.Single(), "targetPort"));
        Assert.Equal("ClientIP", Scalar(http, "sessionAffinity"));
        foreach (var spec in new[] { rtmp, http })
        {
            Assert.Equal(podLabels, Strings(Map(spec, "selector")));
        }

        // kubectl apply -k applies every manifest but the Secret example.
        var kustomization = Sequence(LoadMerged(Path.Combine(K8s, "kustomization.yaml"))["resources"]);
        var manifests = Directory.GetFiles(K8s, "*.yaml").Select(f => Path.GetFileName(f)!).Where(f => f is not ("kustomization.yaml" or "secret.example.yaml")).Order().ToList();
        Assert.Equal(manifests, kustomization.Order().ToList());
    }

    private static List<YamlMappingNode> KubernetesDocuments() =>
        Directory.GetFiles(K8s, "*.yaml").Where(f => Path.GetFileName(f) != "kustomization.yaml")
            .SelectMany(f =>
            {
                var stream = new YamlStream();
                stream.Load(new StringReader(File.ReadAllText(f)));
                return stream.Documents.Select(d => (YamlMappingNode)d.RootNode);
            }).ToList();

    private static string Kind(YamlMappingNode doc) => Scalar(doc, "kind");

    /// <summary>One document with YAML merge keys (<c>&lt;&lt;: *anchor</c>) resolved, as Compose resolves them.</summary>
    private static YamlMappingNode LoadMerged(string path)
    {
        var stream = new YamlStream();
        stream.Load(new MergingParser(new Parser(new StringReader(File.ReadAllText(path)))));
        return (YamlMappingNode)stream.Documents.Single().RootNode;
    }

    private static YamlMappingNode Map(YamlMappingNode node, string key) =>
        node.Children.TryGetValue(new YamlScalarNode(key), out var value) ? (YamlMappingNode)value : throw new Xunit.Sdk.XunitException($"no '{key}'");

    private static string Scalar(YamlMappingNode node, string key) =>
        node.Children.TryGetValue(new YamlScalarNode(key), out var value) ? ((YamlScalarNode)value).Value! : throw new Xunit.Sdk.XunitException($"no '{key}'");

    private static List<string> Sequence(YamlNode node) => ((YamlSequenceNode)node).Children.Select(c => ((YamlScalarNode)c).Value!).ToList();

    private static Dictionary<string, string> Strings(YamlMappingNode node) =>
        node.Children.ToDictionary(p => ((YamlScalarNode)p.Key).Value!, p => ((YamlScalarNode)p.Value).Value ?? "");
}
