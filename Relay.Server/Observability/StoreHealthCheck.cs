using Relay.Server.Channels;
using Microsoft.Extensions.Diagnostics.HealthChecks;

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
