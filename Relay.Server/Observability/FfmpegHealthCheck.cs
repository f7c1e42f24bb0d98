using Microsoft.Extensions.Diagnostics.HealthChecks;
using Relay.Ingest.Ffmpeg;

namespace Relay.Server.Observability;

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
