using Microsoft.AspNetCore.Http.Json;
using Microsoft.AspNetCore.Http.Metadata;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using System.Text.Json.Serialization.Metadata;
using Relay.Tests.Common.Hosts;

namespace Relay.Tests.Integration.Server;

/// <summary>
/// The whole host's HTTP JSON options (what every typed result, the minimal API handlers and the OpenAPI document
/// serialize through) hold source-generated contexts only, and they resolve every type an endpoint documents as its
/// request or answer, read from the endpoints the host actually mapped: a new endpoint whose type no context lists fails
/// here, in the JIT test run, instead of in a NativeAOT binary.
/// </summary>
public sealed class WireJsonTests : RelayServerTest
{
    [Fact]
    public void Every_documented_request_and_answer_type_of_every_endpoint_has_generated_metadata()
    {
        var options = Server.App.Services.GetRequiredService<IOptions<JsonOptions>>().Value.SerializerOptions;
        Assert.NotEmpty(options.TypeInfoResolverChain);
        Assert.DoesNotContain(options.TypeInfoResolverChain, r => r is DefaultJsonTypeInfoResolver);

        var endpoints = Server.App.Services.GetRequiredService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>().ToList();
        var types = endpoints
            .SelectMany(e => e.Metadata.OfType<IProducesResponseTypeMetadata>().Select(m => m.Type)
                .Concat(e.Metadata.OfType<IAcceptsMetadata>().Select(m => m.RequestType)))
            .OfType<Type>().Where(t => t != typeof(void)).Distinct().ToList();
        Assert.True(types.Count >= 15, $"only {types.Count} documented types found: {string.Join(", ", types)}");

        var missing = types.Where(t => !options.TryGetTypeInfo(t, out _)).Select(t => t.FullName).ToList();
        Assert.True(missing.Count == 0, "no source-generated metadata for: " + string.Join(", ", missing));
    }
}
