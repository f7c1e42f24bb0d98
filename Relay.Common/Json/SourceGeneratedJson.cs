using System.Text.Json;
using System.Text.Json.Serialization.Metadata;

namespace Relay.Common.Json;

/// <summary>
/// JSON through source-generated contexts only. The framework's own options (ASP.NET Core's <c>JsonOptions</c>, SignalR's
/// payload options) start with the reflection-based resolver in a JIT build and without it under NativeAOT; taking it out
/// in every build makes a type missing from the contexts fail the normal test suite, not only the published binary.
/// </summary>
public static class SourceGeneratedJson
{
    /// <summary>Drops the reflection-based resolver from <paramref name="options"/> and appends each context not in the
    /// chain yet. Resolvers others put there (the framework's ProblemDetails context) stay.</summary>
    public static void Use(JsonSerializerOptions options, params IJsonTypeInfoResolver[] contexts)
    {
        var chain = options.TypeInfoResolverChain;
        for (var i = chain.Count - 1; i >= 0; i--)
        {
            if (chain[i] is DefaultJsonTypeInfoResolver)
            {
                chain.RemoveAt(i);
            }
        }
        foreach (var context in contexts)
        {
            if (!chain.Contains(context))
            {
                chain.Add(context);
            }
        }
    }
}
