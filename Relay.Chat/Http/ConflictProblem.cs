using Microsoft.AspNetCore.Http.Metadata;
using Microsoft.AspNetCore.Builder;
using System.Reflection;
using Microsoft.AspNetCore.Http;

namespace Relay.Chat.Http;

/// <summary>409: the request clashes with the current state (a duplicate, a configured value, a concurrent change).</summary>
public sealed class ConflictProblem(string title, string? detail = null) : StatusProblem<ConflictProblem>(title, detail), IProblemStatus, IEndpointMetadataProvider
{
    public static int Status => StatusCodes.Status409Conflict;

    static void IEndpointMetadataProvider.PopulateMetadata(MethodInfo method, EndpointBuilder builder) => DescribeProblem(builder);
}
