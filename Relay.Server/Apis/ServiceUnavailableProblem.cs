using System.Reflection;
using Microsoft.AspNetCore.Http.Metadata;
using Relay.Chat.Http;

namespace Relay.Server.Apis;

/// <summary>503: what the answer needs is down for now (a node's Redis); retry, or read <c>/readyz</c>.</summary>
public sealed class ServiceUnavailableProblem(string title, string? detail = null) : StatusProblem<ServiceUnavailableProblem>(title, detail), IProblemStatus, IEndpointMetadataProvider
{
    public static int Status => StatusCodes.Status503ServiceUnavailable;

    static void IEndpointMetadataProvider.PopulateMetadata(MethodInfo method, EndpointBuilder builder) => DescribeProblem(builder);
}
