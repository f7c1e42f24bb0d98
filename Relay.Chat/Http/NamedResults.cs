using System.Reflection;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Metadata;

namespace Relay.Chat.Http;

/// <summary>
/// A <c>Results&lt;…&gt;</c> union under a name that says what it is (the answers of one shared step, such as reading a
/// body), so handler signatures stay readable. It executes the union and declares the union's responses.
/// </summary>
public abstract class NamedResults<TResults>(TResults results) : IResult
    where TResults : IResult, IEndpointMetadataProvider
{
    public TResults Result { get; } = results;

    public Task ExecuteAsync(HttpContext httpContext) => Result.ExecuteAsync(httpContext);

    /// <summary>What each subclass's <c>IEndpointMetadataProvider.PopulateMetadata</c> declares: the union's responses.
    /// The subclass implements the interface itself, because under NativeAOT the framework finds that static method by
    /// reflection on the result type alone (ResultTypesTests).</summary>
    protected static void DescribeUnion(MethodInfo method, EndpointBuilder builder) => TResults.PopulateMetadata(method, builder);
}
