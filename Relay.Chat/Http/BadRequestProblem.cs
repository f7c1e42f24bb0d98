using Microsoft.AspNetCore.Http.Metadata;
using Microsoft.AspNetCore.Builder;
using System.Reflection;
using Microsoft.AspNetCore.Http;

namespace Relay.Chat.Http;

/// <summary>400 without field errors (a route value that is not one this endpoint serves); a bad body is a ValidationProblem.</summary>
public sealed class BadRequestProblem(string title, string? detail = null) : StatusProblem<BadRequestProblem>(title, detail), IProblemStatus, IEndpointMetadataProvider
{
    public static int Status => StatusCodes.Status400BadRequest;

    static void IEndpointMetadataProvider.PopulateMetadata(MethodInfo method, EndpointBuilder builder) => DescribeProblem(builder);
}
