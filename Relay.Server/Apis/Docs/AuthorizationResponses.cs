using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;
using Relay.Chat.Access;

namespace Relay.Server.Apis.Docs;

/// <summary>
/// Per operation, from the endpoint's own metadata: who may call it (the policy in words, or "anonymous"), the bearer
/// requirement and its 401/403 where a policy applies, and the 429 of the per-address REST cap (Relay.Server/Limits)
/// on every <c>/api</c> operation. These answers come from the authentication and rate-limiting pipeline, not from the
/// handler, so no handler signature can state them: they are stated here once for every operation.
/// </summary>
internal sealed class AuthorizationResponses : IOpenApiOperationTransformer
{
    public Task TransformAsync(OpenApiOperation operation, OpenApiOperationTransformerContext context, CancellationToken cancellationToken)
    {
        var metadata = context.Description.ActionDescriptor.EndpointMetadata;
        operation.Responses ??= new OpenApiResponses();
        // The ProblemDetails component the handlers' typed problem results (Relay.Chat/Http) put in the document.
        var problem = new OpenApiSchemaReference(nameof(ProblemDetails), context.Document);
        if (metadata.OfType<IAuthorizeData>().LastOrDefault() is { Policy: { } policy } && !metadata.OfType<IAllowAnonymous>().Any())
        {
            operation.Security ??= [];
            operation.Security.Add(new OpenApiSecurityRequirement { [new OpenApiSecuritySchemeReference(BearerSecurityScheme.Id, context.Document)] = [] });
            operation.Description = ((operation.Description ?? "") + $"\n\nAuthorization: policy `{policy}` ({ApiPolicies.Describe(policy)}).").Trim();
            var unauthorized = Problem("No bearer token, or one that is no credential here (a rotated key stops working at once).", problem);
            unauthorized.Headers = new Dictionary<string, IOpenApiHeader>
            {
                ["WWW-Authenticate"] = new OpenApiHeader { Description = "`Bearer`", Schema = new OpenApiSchema { Type = JsonSchemaType.String } },
            };
            operation.Responses.TryAdd("401", unauthorized);
            operation.Responses.TryAdd("403", Problem($"A real credential that this endpoint does not admit: {ApiPolicies.ForbiddenDetail(policy)}.", problem));
        }
        else
        {
            operation.Description = ((operation.Description ?? "") + "\n\nAuthorization: none (anonymous).").Trim();
        }
        if (context.Description.RelativePath?.StartsWith("api/", StringComparison.Ordinal) == true)
        {
            var tooMany = Problem("Too many requests from this address (Relay:Limits, or an endpoint's own budget such as guest minting).", problem);
            tooMany.Headers = new Dictionary<string, IOpenApiHeader>
            {
                ["Retry-After"] = new OpenApiHeader { Description = "Seconds to wait before trying again.", Schema = new OpenApiSchema { Type = JsonSchemaType.Integer } },
            };
            operation.Responses.TryAdd("429", tooMany);
        }
        return Task.CompletedTask;
    }

    private static OpenApiResponse Problem(string description, IOpenApiSchema schema) => new()
    {
        Description = description,
        Content = new Dictionary<string, OpenApiMediaType> { ["application/problem+json"] = new OpenApiMediaType { Schema = schema } },
    };
}
