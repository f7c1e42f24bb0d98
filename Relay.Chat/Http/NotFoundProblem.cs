using Microsoft.AspNetCore.Http.Metadata;
using Microsoft.AspNetCore.Builder;
using System.Reflection;
using Microsoft.AspNetCore.Http;

namespace Relay.Chat.Http;

/// <summary>404: the thing the route names does not exist.</summary>
public sealed class NotFoundProblem(string title, string? detail = null) : StatusProblem<NotFoundProblem>(title, detail), IProblemStatus, IEndpointMetadataProvider
{
    public static int Status => StatusCodes.Status404NotFound;

    static void IEndpointMetadataProvider.PopulateMetadata(MethodInfo method, EndpointBuilder builder) => DescribeProblem(builder);
}
