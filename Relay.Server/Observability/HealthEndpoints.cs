using System.Text.Json;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Relay.Server.Observability;

public static class HealthEndpoints
{
    public static IEndpointRouteBuilder MapRelayHealth(this IEndpointRouteBuilder app)
    {
        // Liveness says only that the process serves HTTP; readiness runs the dependency checks.
        app.MapHealthChecks("/healthz", new() { Predicate = _ => false });
        app.MapHealthChecks("/readyz", new()
        {
            Predicate = c => c.Tags.Contains("ready"),
            ResponseWriter = WriteJsonAsync,
        });
        return app;
    }

    /// <summary>A check that threw has the exception's own text as its description: not for an open endpoint.</summary>
    private static string? ShortReason(HealthReportEntry entry) =>
        entry.Exception is { } e && entry.Description == e.Message ? "check failed (see the log)" : entry.Description;

    private static Task WriteJsonAsync(HttpContext http, HealthReport report)
    {
        http.Response.ContentType = "application/json";
        var body = new ReadinessAnswer(
            report.Status.ToString().ToLowerInvariant(),
            report.Entries.ToDictionary(e => e.Key, e => new ReadinessCheckAnswer(e.Value.Status.ToString().ToLowerInvariant(), ShortReason(e.Value))));
        return http.Response.WriteAsync(JsonSerializer.Serialize(body, HealthJsonContext.Default.ReadinessAnswer));
    }
}
