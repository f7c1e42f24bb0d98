using System.Diagnostics;
using System.Text.Json;
using Microsoft.Extensions.Diagnostics.HealthChecks;
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
            return HealthCheckResult.Unhealthy($"store unusable: {e.Message}");
        }
    }
}

/// <summary>
/// Runs <c>ffmpeg -version</c>, at most once every 30 s: readiness probes arrive every few
/// seconds and must not spawn a process each time.
/// </summary>
public sealed class FfmpegHealthCheck(IConfiguration config, TimeProvider time) : IHealthCheck
{
    private static readonly TimeSpan CacheFor = TimeSpan.FromSeconds(30);
    private readonly SemaphoreSlim _gate = new(1, 1);
    private (DateTimeOffset At, HealthCheckResult Result)? _last;

    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken ct)
    {
        await _gate.WaitAsync(ct);
        try
        {
            if (_last is { } last && time.GetUtcNow() - last.At < CacheFor)
            {
                return last.Result;
            }
            var result = await ProbeAsync(config["Relay:Ingest:FfmpegPath"] is { Length: > 0 } p ? p : "ffmpeg", ct);
            _last = (time.GetUtcNow(), result);
            return result;
        }
        finally
        {
            _gate.Release();
        }
    }

    public static async Task<HealthCheckResult> ProbeAsync(string ffmpeg, CancellationToken ct)
    {
        try
        {
            using var process = Process.Start(new ProcessStartInfo(ffmpeg, "-hide_banner -version")
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                UseShellExecute = false,
            })!;
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
            timeout.CancelAfter(TimeSpan.FromSeconds(5));
            var firstLine = (await process.StandardOutput.ReadLineAsync(timeout.Token)) ?? "";
            await process.WaitForExitAsync(timeout.Token);
            return process.ExitCode == 0
                ? HealthCheckResult.Healthy(firstLine)
                : HealthCheckResult.Unhealthy($"'{ffmpeg} -version' exited with {process.ExitCode}");
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return HealthCheckResult.Unhealthy($"ffmpeg not found at '{ffmpeg}': install it (apt-get install -y ffmpeg) or set Relay:Ingest:FfmpegPath");
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            return HealthCheckResult.Unhealthy($"'{ffmpeg} -version' did not answer within 5 s");
        }
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

    private static Task WriteJsonAsync(HttpContext http, HealthReport report)
    {
        http.Response.ContentType = "application/json";
        var body = new
        {
            status = report.Status.ToString().ToLowerInvariant(),
            checks = report.Entries.ToDictionary(e => e.Key, e => new
            {
                status = e.Value.Status.ToString().ToLowerInvariant(),
                description = e.Value.Description,
            }),
        };
        return http.Response.WriteAsync(JsonSerializer.Serialize(body, new JsonSerializerOptions(JsonSerializerDefaults.Web)));
    }
}
