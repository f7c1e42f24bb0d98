using Relay.Tests.Common.Hosts;
using Relay.Tests.Common.Media;
using Relay.Tests.Common.Peers;
using Relay.Tests.Common.Chat;
using System.Net;
using System.Text.Json;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Relay.Tests.Common;

namespace Relay.Tests.Integration.Server;

/// <summary>
/// Contract v2 <c>GET /openapi/v1.json</c>: served without auth, OpenAPI 3, and it documents every REST route the host
/// actually mapped (read from the EndpointDataSource, so a new endpoint without metadata fails here), each with its
/// success and error responses and, behind a policy, the bearer requirement with its 401 and 403.
/// </summary>
public sealed class OpenApiDocumentTests : RelayServerTest
{
    [Fact]
    public async Task The_document_is_OpenAPI_3_JSON_served_without_auth()
    {
        var ct = TestContext.Current.CancellationToken;
        using var anonymous = Server.Client();
        using var response = await anonymous.GetAsync("/openapi/v1.json", ct);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        using var doc = JsonDocument.Parse(await response.Content.ReadAsStringAsync(ct));
        var root = doc.RootElement;
        Assert.StartsWith("3.", root.GetProperty("openapi").GetString());
        Assert.Equal("Relay API", root.GetProperty("info").GetProperty("title").GetString());
        Assert.True(root.GetProperty("paths").EnumerateObject().Any());
        // Every reference resolves inside the document.
        var components = root.GetProperty("components");
        foreach (var reference in References(root))
        {
            var parts = reference.Split('/');
            Assert.True(parts is ["#", "components", _, _] && components.TryGetProperty(parts[2], out var kind) && kind.TryGetProperty(parts[3], out _),
                $"unresolved $ref {reference}");
        }
        var bearer = root.GetProperty("components").GetProperty("securitySchemes").GetProperty("bearer");
        Assert.Equal("http", bearer.GetProperty("type").GetString());
        Assert.Equal("bearer", bearer.GetProperty("scheme").GetString());
    }

    [Fact]
    public async Task Every_mapped_api_route_is_documented_with_its_responses_and_security()
    {
        var ct = TestContext.Current.CancellationToken;
        using var anonymous = Server.Client();
        using var doc = JsonDocument.Parse(await anonymous.GetStringAsync("/openapi/v1.json", ct));
        var paths = doc.RootElement.GetProperty("paths").EnumerateObject()
            .ToDictionary(p => Normalize(p.Name), p => p.Value, StringComparer.Ordinal);

        var routes = Server.App.Services.GetRequiredService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>()
            .Where(e => e.RoutePattern.RawText is { } raw && (raw.StartsWith("/api/", StringComparison.Ordinal) || raw.StartsWith("/recordings/", StringComparison.Ordinal)))
            .ToList();
        Assert.True(routes.Count >= 20, $"only {routes.Count} API routes mapped");

        var problems = new List<string>();
        foreach (var route in routes)
        {
            var path = Normalize(route.RoutePattern.RawText!);
            foreach (var method in route.Metadata.GetMetadata<HttpMethodMetadata>()?.HttpMethods ?? [])
            {
                var name = $"{method} {path}";
                if (!paths.TryGetValue(path, out var item) || !item.TryGetProperty(method.ToLowerInvariant(), out var operation))
                {
                    problems.Add($"{name}: missing from the document");
                    continue;
                }
                var statuses = operation.TryGetProperty("responses", out var responses)
                    ? responses.EnumerateObject().Select(r => r.Name).ToHashSet() : [];
                if (!statuses.Any(s => s.StartsWith('2')))
                {
                    problems.Add($"{name}: no success response");
                }
                if (!statuses.Any(s => s.StartsWith('4')))
                {
                    problems.Add($"{name}: no error response");
                }
                foreach (var status in statuses.Where(s => s.StartsWith('4')))
                {
                    if (!responses.GetProperty(status).TryGetProperty("content", out var content) || !content.TryGetProperty("application/problem+json", out _))
                    {
                        problems.Add($"{name}: {status} is not problem+json");
                    }
                }
                var authorized = route.Metadata.GetMetadata<IAuthorizeData>() is not null && route.Metadata.GetMetadata<IAllowAnonymous>() is null;
                var secured = operation.TryGetProperty("security", out var security)
                    && security.EnumerateArray().Any(r => r.TryGetProperty("bearer", out _));
                if (authorized && (!secured || !statuses.Contains("401") || !statuses.Contains("403")))
                {
                    problems.Add($"{name}: behind a policy but without the bearer requirement and its 401/403");
                }
                if (!authorized && secured)
                {
                    problems.Add($"{name}: documented as needing a token it does not need");
                }
            }
        }
        Assert.True(problems.Count == 0, string.Join("\n", problems));
    }

    [Fact]
    public async Task Paged_lists_document_limit_and_cursor()
    {
        var ct = TestContext.Current.CancellationToken;
        using var anonymous = Server.Client();
        using var doc = JsonDocument.Parse(await anonymous.GetStringAsync("/openapi/v1.json", ct));
        foreach (var path in new[] { "/api/v1/channels/{id}/orders", "/api/v1/orders" })
        {
            var parameters = doc.RootElement.GetProperty("paths").GetProperty(path).GetProperty("get").GetProperty("parameters")
                .EnumerateArray().Select(p => p.GetProperty("name").GetString()).ToList();
            Assert.Contains("limit", parameters);
            Assert.Contains("cursor", parameters);
        }
    }

    private static IEnumerable<string> References(JsonElement element) => element.ValueKind switch
    {
        JsonValueKind.Object => element.EnumerateObject().SelectMany(p =>
            p.Name == "$ref" && p.Value.ValueKind == JsonValueKind.String ? [p.Value.GetString()!] : References(p.Value)),
        JsonValueKind.Array => element.EnumerateArray().SelectMany(References),
        _ => [],
    };

    /// <summary>A route pattern and a document path alike: no trailing slash, parameters without constraints.</summary>
    private static string Normalize(string path)
    {
        var trimmed = path.Length > 1 ? path.TrimEnd('/') : path;
        return System.Text.RegularExpressions.Regex.Replace(trimmed, @"\{([^}:?=]+)[^}]*\}", "{$1}");
    }
}
