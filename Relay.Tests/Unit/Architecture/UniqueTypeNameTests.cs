using System.Reflection;
using System.Runtime.CompilerServices;

namespace Relay.Tests.Unit.Architecture;

/// <summary>
/// No two types of the production projects share a simple name (docs/architecture.md, "Conventions"): a name found in a
/// log, a stack trace or a review means one type. Read from the compiled assemblies, so partial types count once and
/// generated code (regex, logging, OpenAPI) is seen as what it is.
/// </summary>
public sealed class UniqueTypeNameTests
{
    [Fact]
    public void No_two_top_level_types_share_a_simple_name()
    {
        var types = ProductionAssemblies.All.SelectMany(a => a.GetTypes()).Where(IsOurs).ToList();
        Assert.True(types.Count > 300, $"only {types.Count} types found: the filter is wrong"); // guard: a scan that sees nothing finds no clash
        var clashes = types.GroupBy(t => SimpleName(t.Name), StringComparer.Ordinal)
            .Where(g => g.Count() > 1)
            .Select(g => $"{g.Key}: {string.Join(", ", g.Select(t => t.FullName))}")
            .ToList();
        Assert.True(clashes.Count == 0, "types that share a name:\n" + string.Join("\n", clashes));
    }

    /// <summary>Top-level types written in Relay (the generators' types live in their own namespaces or carry
    /// unspeakable names).</summary>
    private static bool IsOurs(Type type) =>
        !type.IsNested
        && !type.Name.Contains('<', StringComparison.Ordinal)
        && !type.IsDefined(typeof(CompilerGeneratedAttribute), inherit: false)
        && (type.Namespace is null || type.Namespace == "Relay" || type.Namespace.StartsWith("Relay.", StringComparison.Ordinal));

    private static string SimpleName(string name) => name.Split('`')[0];
}
