using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Relay.Chat.Configuration;
using Relay.Chat.Diagnostics;
using Relay.Chat.Webhooks;
using Relay.Common.Resilience;

namespace Relay.Chat.Crm;

/// <summary>
/// Drains the CRM outbox to Crm:Endpoint with the order outbox's discipline: the event id is the Idempotency-Key and
/// webhook-id of every attempt, an event leaves `pending` only after the CRM answered (a kill in between = one more POST
/// with the same key after restart), the answers are classified by <see cref="WebhookPost"/> and retried with its backoff
/// up to Crm:MaxAttempts, then dead-lettered. Any node claims due events with a lease (FOR UPDATE SKIP LOCKED on
/// PostgreSQL). Does nothing while Crm:Endpoint is unset (no event is queued then).
/// </summary>
internal sealed class CrmDispatcher(
    ICrmOutbox outbox,
    CrmEndpoint endpoint,
    CrmDispatchSignal signal,
    IHttpClientFactory clients,
    IOptions<CrmOptions> options,
    TimeProvider time,
    ILogger<CrmDispatcher> logger) : BackgroundService
{
    public const string HttpClientName = "relay-crm";

    /// <summary>Events in flight at once.</summary>
    private const int Parallelism = 8;

    private static readonly BackoffPolicy LoopBackoff = new(TimeSpan.FromMilliseconds(500), TimeSpan.FromSeconds(30), BackoffJitter.None);

    private CrmOptions Settings => options.Value;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!endpoint.Enabled) return;
        foreach (var kind in new[] { CrmEventKinds.Follow, CrmEventKinds.Remind })
        foreach (var status in new[] { CrmEventStatus.Queued, CrmEventStatus.Delivered, CrmEventStatus.Failed, CrmEventStatus.DeadLetter })
            ChatMetrics.CrmEvents.WithLabels(kind, status);
        var loopBackoff = new BackoffCounter(LoopBackoff, time);
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await RunAsync(stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex)
            {
                var delay = loopBackoff.Next();
                Log.CrmDispatcherLoopFailed(logger, (long)delay.TotalMilliseconds, ex);
                try { await loopBackoff.WaitAsync(delay, stoppingToken); }
                catch (OperationCanceledException) { return; }
            }
        }
    }

    private async Task RunAsync(CancellationToken stoppingToken)
    {
        await outbox.ReleaseAllLeasesAsync(stoppingToken);
        Log.CrmEndpoint(logger, endpoint.Redacted(), endpoint.Signed);
        var lease = TimeSpan.FromSeconds(Settings.TimeoutSeconds) + TimeSpan.FromSeconds(30);
        while (!stoppingToken.IsCancellationRequested)
        {
            var due = await outbox.ClaimDueAsync(time.GetUtcNow(), Parallelism, lease, stoppingToken);
            if (due.Count > 0)
            {
                await Task.WhenAll(due.Select(e => DeliverGuardedAsync(e, stoppingToken)));
                continue;
            }
            var poll = TimeSpan.FromMilliseconds(Settings.PollIntervalMilliseconds);
            var wait = await outbox.NextDueAtAsync(stoppingToken) is { } next
                ? TimeSpan.FromTicks(Math.Clamp((next - time.GetUtcNow()).Ticks, 0, poll.Ticks))
                : poll;
            if (wait > TimeSpan.Zero) await signal.WaitAsync(wait, time, stoppingToken);
        }
    }

    private async Task DeliverGuardedAsync(CrmEventRecord e, CancellationToken stoppingToken)
    {
        try
        {
            await DeliverAsync(e, stoppingToken);
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
        catch (Exception ex)
        {
            Log.CrmDeliveryFailed(logger, e.EventId, ex);
        }
    }

    private async Task DeliverAsync(CrmEventRecord e, CancellationToken cancellationToken)
    {
        var attempt = e.Attempts + 1;
        var result = await WebhookPost.SendAsync(clients.CreateClient(HttpClientName), endpoint.Request(e), time, null, cancellationToken);
        var now = time.GetUtcNow();
        switch (result.Kind)
        {
            case DeliveryKind.Confirmed:
                if (!await outbox.SettleAsync(e.EventId, CrmEventStatus.Delivered, attempt, null, now, cancellationToken)) return;
                ChatMetrics.CrmEvents.WithLabels(e.Event, CrmEventStatus.Delivered).Inc();
                Log.CrmDelivered(logger, e.EventId, attempt);
                return;

            case DeliveryKind.Rejected:
                if (!await outbox.SettleAsync(e.EventId, CrmEventStatus.Failed, attempt, result.Error, now, cancellationToken)) return;
                ChatMetrics.CrmEvents.WithLabels(e.Event, CrmEventStatus.Failed).Inc();
                Log.CrmFailed(logger, e.EventId, result.StatusCode ?? 0);
                return;

            case DeliveryKind.Misconfigured:
                // The event is fine and the endpoint is not: retried like any other retryable answer, counted.
                ChatMetrics.CrmEvents.WithLabels(e.Event, CrmEventStatus.Misconfigured).Inc();
                Log.CrmMisconfigured(logger, endpoint.Redacted(), result.StatusCode ?? 0, e.EventId);
                goto default;

            default:
                if (attempt >= Settings.MaxAttempts)
                {
                    if (!await outbox.SettleAsync(e.EventId, CrmEventStatus.DeadLetter, attempt, result.Error, now, cancellationToken)) return;
                    ChatMetrics.CrmEvents.WithLabels(e.Event, CrmEventStatus.DeadLetter).Inc();
                    Log.CrmDeadLettered(logger, e.EventId, attempt, result.Error);
                    return;
                }
                if (result.Kind == DeliveryKind.Retry) ChatMetrics.CrmEvents.WithLabels(e.Event, CrmEventStatus.Retry).Inc();
                var delay = WebhookPost.RetryDelay(attempt, result.RetryAfter, Settings.InitialBackoffMilliseconds, Settings.MaxBackoffSeconds);
                await outbox.ScheduleRetryAsync(e.EventId, attempt, now + delay, result.Error, now, cancellationToken);
                Log.CrmRetry(logger, e.EventId, attempt, result.Error, (long)delay.TotalMilliseconds);
                return;
        }
    }
}
