using Relay.Server.Channels;
using System.Text.Json;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Relay.Ingest.Ffmpeg;
using Relay.Server.Store;

namespace Relay.Server.Observability;

public sealed class StoreHealthCheck(IChannelStore store) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken ct)
    {
        try
        {
            await store.CanReadAndWriteAsync(ct);
            return HealthCheckResult.Healthy("store is readable and writable");
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            // The exception goes to the log (the health check service logs it); the answer, which anyone may
            // read, carries only a short reason, never paths or database text.
            return HealthCheckResult.Unhealthy("store unusable (see the log)", e);
        }
    }
}

/// <summary>Readiness of ffmpeg, from the ingest's cached <c>ffmpeg -version</c> probe.</summary>
public sealed class FfmpegHealthCheck(FfmpegReadinessProbe probe) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken ct)
    {
        var readiness = await probe.CheckAsync(ct);
        return readiness.Usable
            ? HealthCheckResult.Healthy(readiness.Version)
            : HealthCheckResult.Unhealthy($"{readiness.Problem}: install it (apt-get install -y ffmpeg) or set Relay:Ingest:FfmpegPath");
    }
}

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
