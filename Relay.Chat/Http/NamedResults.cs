using System.Reflection;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Metadata;

namespace Relay.Chat.Http;

/// <summary>
/// A <c>Results&lt;…&gt;</c> union under a name that says what it is (the answers of one shared step, such as reading a
/// body), so handler signatures stay readable. It executes the union and declares the union's responses.
/// </summary>
public abstract class NamedResults<TResults>(TResults results) : IResult, IEndpointMetadataProvider
    where TResults : IResult, IEndpointMetadataProvider
{
    public TResults Result { get; } = results;

    public Task ExecuteAsync(HttpContext httpContext) => Result.ExecuteAsync(httpContext);

    static void IEndpointMetadataProvider.PopulateMetadata(MethodInfo method, EndpointBuilder builder) =>
        TResults.PopulateMetadata(method, builder);
}
