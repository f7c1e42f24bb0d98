using System.Reflection;
using Microsoft.AspNetCore.Http.Metadata;

namespace Relay.Tests.Unit.Architecture;

/// <summary>
/// A result or parameter type that describes itself to the endpoint (IEndpointMetadataProvider and its parameter twin)
/// declares that static method on itself. Under NativeAOT the framework cannot call a static interface member through a
/// generic constraint it builds at run time, so it looks the method up by reflection on the type alone: one inherited
/// from a base class is not found and the native executable stops at start ("Couldn't populate metadata ... A default
/// interface implementation isn't supported with AOT"), while the JIT build works. This test is that rule in the JIT build.
/// </summary>
public sealed class ResultTypesTests
{
    [Fact]
    public void Every_type_that_describes_its_endpoint_declares_the_method_itself()
    {
        var providers = ProductionAssemblies.All.SelectMany(a => a.GetTypes())
            .Where(t => !t.IsAbstract && !t.IsInterface)
            .Where(t => typeof(IEndpointMetadataProvider).IsAssignableFrom(t) || typeof(IEndpointParameterMetadataProvider).IsAssignableFrom(t))
            .ToList();
        Assert.NotEmpty(providers); // guard: the typed results (NotFoundProblem, CatalogResult...) are such types

        var missing = providers
            .Where(t => !t.GetMethods(BindingFlags.Static | BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.DeclaredOnly)
                .Any(m => m.Name.EndsWith("PopulateMetadata", StringComparison.Ordinal)))
            .Select(t => t.FullName)
            .ToList();
        Assert.True(missing.Count == 0, "these inherit PopulateMetadata instead of declaring it:\n" + string.Join("\n", missing));
    }
}
