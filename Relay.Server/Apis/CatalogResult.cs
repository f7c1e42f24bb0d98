using Microsoft.AspNetCore.Http.Metadata;
using Microsoft.AspNetCore.Builder;
using System.Reflection;
using System.Diagnostics.CodeAnalysis;
using Microsoft.AspNetCore.Http.HttpResults;
using Relay.Chat.Http;

namespace Relay.Server.Apis;

/// <summary>
/// What a change to the channel catalog answers (<see cref="ApiProblems.From"/>): <typeparamref name="TOk"/>, or the
/// catalog's refusal: 400 naming the field, 404 for an unknown channel or destination, 409 for a clash.
/// </summary>
// The union's type parameters carry the framework's trimming annotation (it reads their PopulateMetadata), so TOk does too.
public sealed class CatalogResult<[DynamicallyAccessedMembers(DynamicallyAccessedMemberTypes.PublicMethods | DynamicallyAccessedMemberTypes.NonPublicMethods)] TOk>(Results<TOk, ValidationProblem, NotFoundProblem, ConflictProblem> result)
    : NamedResults<Results<TOk, ValidationProblem, NotFoundProblem, ConflictProblem>>(result), IEndpointMetadataProvider
    where TOk : IResult
{
    static void IEndpointMetadataProvider.PopulateMetadata(MethodInfo method, EndpointBuilder builder) => DescribeUnion(method, builder);
}
