using Relay.Server.Pages;

namespace Relay.Server.Apis.Docs;

/// <summary>
/// <c>GET /openapi/v1.json</c> (no auth): the OpenAPI 3 document of the REST API, made by Microsoft.AspNetCore.OpenApi
/// from the endpoints' own metadata (typed results, <c>Produces*</c>, <c>Accepts</c>, the authorization policies), and
/// <c>GET /openapi</c>: the swagger-ui reference page over it.
/// </summary>
public static class RelayOpenApi
{
    public const string DocumentName = "v1";
    public const string DocumentPath = "/openapi/v1.json";

    public static IServiceCollection AddRelayOpenApi(this IServiceCollection services) =>
        services.AddOpenApi(DocumentName, options =>
        {
            // The REST API and the recording downloads; the pages, health, metrics and the hub are not part of it.
            options.ShouldInclude = d => d.RelativePath is { } path
                && (path.StartsWith("api/", StringComparison.Ordinal) || path.StartsWith("recordings/", StringComparison.Ordinal));
            options.AddDocumentTransformer<BearerSecurityScheme>();
            options.AddOperationTransformer<AuthorizationResponses>();
            options.AddOperationTransformer<PagedListParameters>();
        });

    public static IEndpointRouteBuilder MapRelayOpenApi(this IEndpointRouteBuilder app)
    {
        app.MapOpenApi("/openapi/{documentName}.json").AllowAnonymous();
        app.MapGet("/openapi", () => PagesEndpoints.StaticPage("openapi.html")).AllowAnonymous().ExcludeFromDescription();
        return app;
    }
}
