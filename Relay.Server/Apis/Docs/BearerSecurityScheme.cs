using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;

namespace Relay.Server.Apis.Docs;

/// <summary>The document's title and its one security scheme: <c>Authorization: Bearer</c> with a Relay credential.</summary>
internal sealed class BearerSecurityScheme : IOpenApiDocumentTransformer
{
    public const string Id = "bearer";

    public Task TransformAsync(OpenApiDocument document, OpenApiDocumentTransformerContext context, CancellationToken cancellationToken)
    {
        document.Info.Title = "Relay API";
        document.Info.Description =
            "Channels, destinations, line-up, keys, recordings and orders of a Relay node. Every endpoint that is not marked " +
            "otherwise takes `Authorization: Bearer` with the admin token or, for a channel's own endpoints, that channel's " +
            "host key. A missing, unknown or rotated token is 401 with `WWW-Authenticate: Bearer`; a real credential that " +
            "may not do this is 403. Errors are RFC 7807 problem+json; a 400 names the field.";
        document.Components ??= new OpenApiComponents();
        document.Components.SecuritySchemes ??= new Dictionary<string, IOpenApiSecurityScheme>();
        document.Components.SecuritySchemes[Id] = new OpenApiSecurityScheme
        {
            Type = SecuritySchemeType.Http,
            Scheme = "bearer",
            Description = "The admin token (Relay:Auth:AdminToken or DataDir/admin-token), a channel's host key (hk_...), " +
                "or the built-in order API's key (POST /api/v1/orders).",
        };
        return Task.CompletedTask;
    }
}
