using Relay.Tests.Common.Hosts;
using Relay.Tests.Common.Media;
using Relay.Tests.Common.Peers;
using Relay.Tests.Common.Chat;
using System.Net;
using System.Reflection;
using System.Text.Json;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Relay.Chat.Http;
using Relay.Tests.Common;

namespace Relay.Tests.Integration.Server;

/// <summary>
/// Contract v2 <c>GET /openapi/v1.json</c>: served without auth, OpenAPI 3, and it documents every REST route the host
/// actually mapped (read from the EndpointDataSource, so a new endpoint without metadata fails here), each with its
/// success and error responses, who may call it and, behind a policy, the bearer requirement with its 401 and 403;
/// the responses are those of the handlers' typed results and of the auth and rate-limit pipeline.
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
        var operations = await MappedOperationsAsync();
        Assert.True(operations.Count >= 20, $"only {operations.Count} API operations mapped");

        var problems = new List<string>();
        foreach (var (name, route, documentedOperation) in operations)
        {
            if (documentedOperation is not { } operation)
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
            if (!(operation.TryGetProperty("description", out var description) && description.GetString()!.Contains("Authorization: ", StringComparison.Ordinal)))
            {
                problems.Add($"{name}: its description does not say who may call it");
            }
        }
        Assert.True(problems.Count == 0, string.Join("\n", problems));
    }

    /// <summary>
    /// The responses come from the handlers' typed results: per operation, the documented statuses are exactly those of
    /// the handler's <c>Results&lt;…&gt;</c> signature plus what the pipeline answers before the handler runs (401 and 403
    /// behind a policy, 429 on <c>/api</c>). A handler that lost a status from its signature, an untyped handler, or a
    /// stray <c>Produces</c> for a status nothing returns fails here; so does an error that is not problem+json with the
    /// ProblemDetails schema (HttpValidationProblemDetails for a 400 naming the field).
    /// </summary>
    [Fact]
    public async Task Each_documented_status_is_one_the_handler_or_the_pipeline_answers_and_errors_are_problem_details()
    {
        var problems = new List<string>();
        var checkedOperations = 0;
        foreach (var (name, route, documentedOperation) in await MappedOperationsAsync())
        {
            var path = Normalize(route.RoutePattern.RawText!);
            if (documentedOperation is not { } operation)
            {
                continue; // named by Every_mapped_api_route_is_documented_with_its_responses_and_security
            }
            checkedOperations++;
            var responses = operation.GetProperty("responses");
            var documented = responses.EnumerateObject().Select(r => int.Parse(r.Name, System.Globalization.CultureInfo.InvariantCulture)).ToHashSet();

            var handler = route.Metadata.GetMetadata<MethodInfo>();
            var expected = new HashSet<int>();
            foreach (var result in handler is null ? [typeof(IResult)] : ResultTypes(handler.ReturnType))
            {
                if (StatusOf(result) is { } status)
                {
                    expected.Add(status);
                }
                else if (RunTimeStatus.Contains(result))
                {
                    // Its status is set when it runs: the endpoint states its success response with Produces.
                    expected.UnionWith(documented.Where(s => s is >= 200 and < 300));
                }
                else
                {
                    problems.Add($"{name}: the handler returns {result.Name}, which names no status (return a typed result)");
                }
            }
            var authorized = route.Metadata.GetMetadata<IAuthorizeData>()?.Policy is not null && route.Metadata.GetMetadata<IAllowAnonymous>() is null;
            if (authorized)
            {
                expected.UnionWith([StatusCodes.Status401Unauthorized, StatusCodes.Status403Forbidden]);
            }
            if (path.StartsWith("/api/", StringComparison.Ordinal))
            {
                expected.Add(StatusCodes.Status429TooManyRequests);
            }
            foreach (var status in documented.Except(expected))
            {
                problems.Add($"{name}: documents {status}, which neither the handler's signature nor the pipeline answers");
            }
            foreach (var status in expected.Except(documented))
            {
                problems.Add($"{name}: can answer {status} but does not document it");
            }

            problems.AddRange(documented.Where(s => s >= 400).Select(status => NotProblemDetails(responses, status)).OfType<string>().Select(p => $"{name}: {p}"));
        }
        Assert.True(checkedOperations >= 20, $"only {checkedOperations} operations checked");
        Assert.True(problems.Count == 0, string.Join("\n", problems));
    }

    /// <summary>The statuses each operation documents, as docs/api.md and the contract state them.</summary>
    [Theory]
    [InlineData("GET /api/v1/platforms", "200 429")]
    [InlineData("POST /api/v1/guests", "201 429")]
    [InlineData("GET /api/v1/channels", "200 401 403 429")]
    [InlineData("POST /api/v1/channels", "201 400 401 403 404 409 415 429")]
    [InlineData("GET /api/v1/channels/{id}", "200 401 403 404 429")]
    [InlineData("DELETE /api/v1/channels/{id}", "204 400 401 403 404 409 429")]
    [InlineData("GET /api/v1/channels/{id}/stream-key", "200 401 403 404 429")]
    [InlineData("POST /api/v1/channels/{id}/stream-key/rotate", "200 400 401 403 404 409 429")]
    [InlineData("POST /api/v1/channels/{id}/host-key/rotate", "200 400 401 403 404 409 429")]
    [InlineData("GET /api/v1/channels/{id}/destinations", "200 401 403 404 429")]
    [InlineData("POST /api/v1/channels/{id}/destinations", "201 400 401 403 404 409 415 429")]
    [InlineData("GET /api/v1/channels/{id}/destinations/{destId}", "200 401 403 404 429")]
    [InlineData("PATCH /api/v1/channels/{id}/destinations/{destId}", "200 400 401 403 404 409 415 429")]
    [InlineData("DELETE /api/v1/channels/{id}/destinations/{destId}", "204 400 401 403 404 409 429")]
    [InlineData("GET /api/v1/channels/{id}/lineup", "200 401 403 404 429")]
    [InlineData("PUT /api/v1/channels/{id}/lineup", "200 400 401 403 404 409 415 429")]
    [InlineData("GET /api/v1/channels/{id}/recordings", "200 401 403 404 429")]
    [InlineData("GET /recordings/{id}/{file}", "200 400 401 403 404")]
    [InlineData("GET /api/v1/channels/{id}/orders", "200 400 401 403 404 429")]
    [InlineData("GET /api/v1/channels/{id}/shows", "200 400 401 403 404 429")]
    [InlineData("GET /api/v1/channels/{id}/shows/{showId}/report", "200 400 401 403 404 429")]
    [InlineData("POST /api/v1/orders", "201 400 401 403 429")]
    [InlineData("GET /api/v1/orders", "200 400 401 403 429")]
    [InlineData("POST /api/v1/orders/{orderId}/redeliver", "202 401 403 404 409 429")]
    public async Task Each_operation_documents_the_statuses_of_the_contract(string operation, string statuses)
    {
        var ct = TestContext.Current.CancellationToken;
        using var anonymous = Server.Client();
        using var doc = JsonDocument.Parse(await anonymous.GetStringAsync("/openapi/v1.json", ct));
        var (method, path) = (operation.Split(' ')[0], operation.Split(' ')[1]);
        var documented = doc.RootElement.GetProperty("paths").GetProperty(path).GetProperty(method.ToLowerInvariant())
            .GetProperty("responses").EnumerateObject().Select(r => r.Name).Order(StringComparer.Ordinal);
        Assert.Equal(statuses.Split(' ').Order(StringComparer.Ordinal), documented);
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

    /// <summary>Each method of each REST route the host mapped (read from the EndpointDataSource), with its operation in the document if there is one.</summary>
    private async Task<List<(string Name, RouteEndpoint Route, JsonElement? Operation)>> MappedOperationsAsync()
    {
        using var anonymous = Server.Client();
        using var doc = JsonDocument.Parse(await anonymous.GetStringAsync("/openapi/v1.json", TestContext.Current.CancellationToken));
        var paths = doc.RootElement.GetProperty("paths").EnumerateObject()
            .ToDictionary(p => Normalize(p.Name), p => p.Value.Clone(), StringComparer.Ordinal);
        var routes = Server.App.Services.GetRequiredService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>()
            .Where(e => e.RoutePattern.RawText is { } raw && (raw.StartsWith("/api/", StringComparison.Ordinal) || raw.StartsWith("/recordings/", StringComparison.Ordinal)));
        return [.. from route in routes
                   let path = Normalize(route.RoutePattern.RawText!)
                   from method in route.Metadata.GetMetadata<HttpMethodMetadata>()?.HttpMethods ?? []
                   select ($"{method} {path}", route,
                       paths.TryGetValue(path, out var item) && item.TryGetProperty(method.ToLowerInvariant(), out var operation) ? operation : (JsonElement?)null)];
    }

    /// <summary>Null when the error response is problem+json with the ProblemDetails schema (or, for a 400, the validation one).</summary>
    private static string? NotProblemDetails(JsonElement responses, int status)
    {
        var response = responses.GetProperty(status.ToString(System.Globalization.CultureInfo.InvariantCulture));
        var media = response.TryGetProperty("content", out var content) ? content.EnumerateObject().Select(c => c.Name).ToList() : [];
        var schema = media is ["application/problem+json"]
            && content.GetProperty("application/problem+json").TryGetProperty("schema", out var s) && s.TryGetProperty("$ref", out var r)
            ? r.GetString() : null;
        string[] allowed = status == StatusCodes.Status400BadRequest
            ? ["#/components/schemas/ProblemDetails", "#/components/schemas/HttpValidationProblemDetails"]
            : ["#/components/schemas/ProblemDetails"];
        return allowed.Contains(schema) ? null : $"{status} is [{string.Join(", ", media)}] with schema {schema ?? "none"}, not problem+json with ProblemDetails";
    }

    /// <summary>The status each typed result answers, by its type alone (so this test does not ask the types themselves).</summary>
    private static int? StatusOf(Type result) =>
        (result.IsGenericType ? result.GetGenericTypeDefinition() : result) switch
        {
            var t when t == typeof(Ok<>) => StatusCodes.Status200OK,
            var t when t == typeof(Created<>) => StatusCodes.Status201Created,
            var t when t == typeof(Accepted<>) => StatusCodes.Status202Accepted,
            var t when t == typeof(NoContent) => StatusCodes.Status204NoContent,
            var t when t == typeof(ValidationProblem) || t == typeof(BadRequestProblem) => StatusCodes.Status400BadRequest,
            var t when t == typeof(NotFoundProblem) => StatusCodes.Status404NotFound,
            var t when t == typeof(ConflictProblem) => StatusCodes.Status409Conflict,
            var t when t == typeof(UnsupportedMediaTypeProblem) => StatusCodes.Status415UnsupportedMediaType,
            // Any other StatusProblem names its status once, as a static property (IProblemStatus).
            var t when typeof(IProblemStatus).IsAssignableFrom(t) => (int)t.GetProperty(nameof(IProblemStatus.Status), BindingFlags.Public | BindingFlags.Static)!.GetValue(null)!,
            _ => null,
        };

    /// <summary>Results whose status is only known when they run (stored JSON replayed, a file streamed).</summary>
    private static readonly Type[] RunTimeStatus = [typeof(ContentHttpResult), typeof(FileStreamHttpResult)];

    /// <summary>The leaf result types of a handler's return type: through Task, Results&lt;…&gt; and NamedResults.</summary>
    private static IEnumerable<Type> ResultTypes(Type type)
    {
        if (type.IsGenericType && (type.GetGenericTypeDefinition() == typeof(Task<>) || type.GetGenericTypeDefinition() == typeof(ValueTask<>)
            || type.GetGenericTypeDefinition().FullName!.StartsWith("Microsoft.AspNetCore.Http.HttpResults.Results`", StringComparison.Ordinal)))
        {
            return type.GetGenericArguments().SelectMany(ResultTypes);
        }
        for (var t = type.BaseType; t is not null; t = t.BaseType)
        {
            if (t.IsGenericType && t.GetGenericTypeDefinition() == typeof(NamedResults<>))
            {
                return ResultTypes(t.GetGenericArguments()[0]);
            }
        }
        return [type];
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
