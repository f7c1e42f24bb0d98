using Microsoft.AspNetCore.Http.Metadata;
using Microsoft.AspNetCore.Builder;
using System.Reflection;
using Microsoft.AspNetCore.Http.HttpResults;
using Relay.Chat.Http;

namespace Relay.Server.Apis;

/// <summary>
/// What reading a JSON body can refuse (<see cref="ApiProblems.ReadBodyAsync"/>): 415 for a body that is not sent as
/// application/json, 400 naming the field for one that is not valid JSON or not the expected kind.
/// </summary>
public sealed class BodyProblem(Results<UnsupportedMediaTypeProblem, ValidationProblem> result)
    : NamedResults<Results<UnsupportedMediaTypeProblem, ValidationProblem>>(result), IEndpointMetadataProvider
{
    static void IEndpointMetadataProvider.PopulateMetadata(MethodInfo method, EndpointBuilder builder) => DescribeUnion(method, builder);
}
