using Microsoft.AspNetCore.Http.Metadata;
using Microsoft.AspNetCore.Builder;
using System.Reflection;
using Microsoft.AspNetCore.Http;

namespace Relay.Chat.Http;

/// <summary>415: the body is not sent in a media type the endpoint reads.</summary>
public sealed class UnsupportedMediaTypeProblem(string title, string? detail = null) : StatusProblem<UnsupportedMediaTypeProblem>(title, detail), IProblemStatus, IEndpointMetadataProvider
{
    public static int Status => StatusCodes.Status415UnsupportedMediaType;

    static void IEndpointMetadataProvider.PopulateMetadata(MethodInfo method, EndpointBuilder builder) => DescribeProblem(builder);
}
