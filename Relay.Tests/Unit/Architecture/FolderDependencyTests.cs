using System.Text.RegularExpressions;

namespace Relay.Tests.Unit.Architecture;

/// <summary>
/// The dependency rules of docs/architecture.md, checked on the source: Ingest and Chat never reach each other or the
/// Server, Relay.Common reaches none of them, and inside each project the capability folders form no cycle (a folder
/// uses another through its namespace: a <c>using</c> or a qualified name).
/// </summary>
public sealed partial class FolderDependencyTests
{
    private static readonly string[] Projects = ["Relay.Common", "Relay.Ingest", "Relay.Chat", "Relay.Server"];

    [Theory]
    [InlineData("Relay.Common", new[] { "Relay.Ingest", "Relay.Chat", "Relay.Server" })]
    [InlineData("Relay.Ingest", new[] { "Relay.Chat", "Relay.Server" })]
    [InlineData("Relay.Chat", new[] { "Relay.Ingest", "Relay.Server" })]
    public void A_project_never_names_a_project_above_or_beside_it(string project, string[] forbidden)
    {
        var offenders = SourceTree.Files(project)
            .SelectMany(f => References(File.ReadAllText(f)).Where(r => forbidden.Any(p => r == p || r.StartsWith(p + ".", StringComparison.Ordinal)))
                .Select(r => $"{Path.GetRelativePath(SourceTree.RepositoryRoot(), f)} -> {r}"))
            .ToList();
        Assert.True(offenders.Count == 0, "forbidden references:\n" + string.Join("\n", offenders));
    }

    [Theory]
    [InlineData("Relay.Common")]
    [InlineData("Relay.Ingest")]
    [InlineData("Relay.Chat")]
    [InlineData("Relay.Server")]
    public void Capability_folders_form_no_cycle(string project)
    {
        var graph = FolderGraph(project);
        Assert.NotEmpty(graph);
        var cycle = FindCycle(graph);
        Assert.True(cycle is null, $"folder cycle in {project}: {string.Join(" -> ", cycle ?? [])}\nedges:\n"
            + string.Join("\n", graph.SelectMany(kv => kv.Value.Select(to => $"  {kv.Key} -> {to}")).Order()));
    }

    [Fact]
    public void The_ingest_layers_point_one_way()
    {
        var graph = FolderGraph("Relay.Ingest");
        // Amf0 <- Media <- Rtmp <- {Publishing, Egress}; Streams <- {Publishing, Consumers, Egress, Slate}; Ffmpeg <- {Consumers, Egress, Slate};
        // {Publishing, Ffmpeg} <- Srt (SRT feeds RTMP's publish gate through an ffmpeg remux).
        string[] below = ["Amf0", "Media", "Rtmp"];
        foreach (var (lower, higher) in new[] { ("Amf0", "Media"), ("Media", "Rtmp"), ("Rtmp", "Publishing"), ("Rtmp", "Egress"), ("Streams", "Publishing"), ("Streams", "Egress"), ("Streams", "Slate"), ("Ffmpeg", "Slate"), ("Publishing", "Srt"), ("Ffmpeg", "Srt"), ("Streams", "Srt") })
        {
            Assert.False(graph.TryGetValue(lower, out var uses) && uses.Contains(higher), $"{lower} must not use {higher}");
        }
        foreach (var wire in below)
        {
            var uses = graph.GetValueOrDefault(wire) ?? [];
            Assert.True(uses.All(below.Contains), $"{wire} is wire format: it may use only {string.Join(", ", below)}, uses {string.Join(", ", uses)}");
        }
    }

    [Fact]
    public void The_graph_sees_real_edges()
    {
        // Guard against a scan that finds nothing and so finds no cycle.
        var graph = FolderGraph("Relay.Ingest");
        Assert.Contains("Media", graph["Rtmp"]);
        Assert.Contains("Streams", graph["Egress"]);
    }

    private static Dictionary<string, HashSet<string>> FolderGraph(string project)
    {
        var graph = new Dictionary<string, HashSet<string>>();
        foreach (var file in SourceTree.Files(project))
        {
            var text = File.ReadAllText(file);
            var ns = NamespaceDeclaration().Match(text);
            if (!ns.Success) continue;
            var from = Folder(project, ns.Groups[1].Value);
            if (from is null) continue; // the project's root: composition, may use everything
            var edges = graph.TryGetValue(from, out var set) ? set : graph[from] = [];
            foreach (var reference in References(text))
            {
                if (Folder(project, reference) is { } to && to != from) edges.Add(to);
            }
        }
        return graph;
    }

    /// <summary>The capability folder a namespace belongs to: the first segment under the project, two under Consumers
    /// (a consumer must not reach into another).</summary>
    private static string? Folder(string project, string ns)
    {
        if (!ns.StartsWith(project + ".", StringComparison.Ordinal)) return null;
        var parts = ns[(project.Length + 1)..].Split('.');
        return parts[0] == "Consumers" && parts.Length > 1 ? "Consumers." + parts[1] : parts[0];
    }

    private static IEnumerable<string> References(string text) =>
        QualifiedName().Matches(Code(text)).Select(m => m.Groups[1].Value)
            .Where(r => Projects.Any(p => r == p || r.StartsWith(p + ".", StringComparison.Ordinal)));

    /// <summary>The text without comments and plain string literals: a doc comment or a log category that names a
    /// namespace is not a dependency.</summary>
    private static string Code(string text) => StringLiteral().Replace(Comment().Replace(text, ""), "\"\"");

    private static List<string>? FindCycle(Dictionary<string, HashSet<string>> graph)
    {
        var state = new Dictionary<string, int>(); // 1 = on the path, 2 = done
        var path = new List<string>();
        List<string>? Visit(string node)
        {
            state[node] = 1;
            path.Add(node);
            foreach (var next in graph.GetValueOrDefault(node) ?? [])
            {
                if (state.GetValueOrDefault(next) == 1) return [.. path.SkipWhile(n => n != next), next];
                if (state.GetValueOrDefault(next) == 0 && Visit(next) is { } found) return found;
            }
            path.RemoveAt(path.Count - 1);
            state[node] = 2;
            return null;
        }
        foreach (var node in graph.Keys)
        {
            if (state.GetValueOrDefault(node) == 0 && Visit(node) is { } cycle) return cycle;
        }
        return null;
    }

    [GeneratedRegex(@"//.*$", RegexOptions.Multiline)]
    private static partial Regex Comment();

    [GeneratedRegex(@"""(?:[^""\\\n]|\\.)*""")]
    private static partial Regex StringLiteral();

    [GeneratedRegex(@"^namespace\s+([\w.]+)", RegexOptions.Multiline)]
    private static partial Regex NamespaceDeclaration();

    // Namespaces reached by a using or a qualified name (after comments and strings are gone).
    [GeneratedRegex(@"\b(Relay\.(?:Common|Ingest|Chat|Server)(?:\.[A-Z]\w*)*)")]
    private static partial Regex QualifiedName();
}
