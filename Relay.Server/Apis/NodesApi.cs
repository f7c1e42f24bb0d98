using Microsoft.AspNetCore.Http.HttpResults;
using Relay.Chat.Access;
using Relay.Chat.Http;
using Relay.Server.Cluster.Nodes;

namespace Relay.Server.Apis;

/// <summary>
/// <c>GET /api/v1/nodes</c>: the nodes of the service alive now (registry entries not expired), by id. On the embedded
/// default the one process; on a cluster every node whose heartbeat renewed its entry within <c>Relay:Node:LeaseSeconds</c>.
/// A node whose Redis is down cannot read the registry: it answers 503 (problem+json) rather than a partial list.
/// </summary>
public static class NodesApi
{
    public static IEndpointRouteBuilder MapNodesApi(this IEndpointRouteBuilder app)
    {
        app.MapGet("/api/v1/nodes", List).WithTags("Nodes").RequireAuthorization(ApiPolicies.Admin)
            .WithSummary("The nodes of the service alive now, with readiness and load");
        return app;
    }

    private static async Task<Results<Ok<List<NodeInfo>>, ServiceUnavailableProblem>> List(INodeRegistry nodes, CancellationToken ct)
    {
        try
        {
            return TypedResults.Ok((await nodes.ListAsync(ct)).ToList());
        }
        catch (Exception e) when (e is StackExchange.Redis.RedisException or TimeoutException)
        {
            return new ServiceUnavailableProblem("Node registry unavailable", "Redis does not answer; see /readyz");
        }
    }
}
