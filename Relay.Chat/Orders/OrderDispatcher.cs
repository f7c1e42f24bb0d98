using System.Diagnostics;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Relay.Common.Resilience;
using Relay.Chat.Configuration;
using Relay.Chat.Contracts;
using Relay.Chat.Diagnostics;
using Relay.Chat.Merchandising;
using Relay.Chat.Webhooks;

namespace Relay.Chat.Orders;

/// <summary>
/// Drains the outbox to the order API. Exactly once in effect: the order id is the Idempotency-Key of every
/// attempt, and an order leaves `pending` only after the API answered; a kill between the answer and the
/// status update just means one more POST with the same key after restart, which the API deduplicates.
/// </summary>
internal sealed class OrderDispatcher(
    IOrderOutbox outbox,
    OrderApiClient client,
    OrderEndpoint endpoint,
    OrderDispatchSignal signal,
    RoomStock stock,
    OrderAnnouncer announcer,
    IHostApplicationLifetime lifetime,
    IOptions<OrdersOptions> options,
    TimeProvider time,
    ILogger<OrderDispatcher> logger) : BackgroundService
{
    // Read when used, not in the constructor: hosted services are built before options validation runs,
    // and an early .Value would report only this section's errors instead of every section's.
    private OrdersOptions Settings => options.Value;

    // One dispatcher per process fails alone, so its own loop needs no jitter: 0.5 s doubling to 30 s.
    private static readonly BackoffPolicy LoopBackoff = new(TimeSpan.FromMilliseconds(500), TimeSpan.FromSeconds(30), BackoffJitter.None);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        // Runs before Kestrel listens: the order metrics register here, so the first scrape has them at 0.
        OrderMetricLabels.ExportAtZero();
        // The built-in endpoint is only known once Kestrel has bound its addresses.
        await WhenStartedAsync(stoppingToken);
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
                // Any failure (database locked, disk full, a bug) restarts the loop after a growing pause;
                // orders stay pending in the outbox meanwhile.
                var delay = loopBackoff.Next();
                Log.DispatcherLoopFailed(logger, (long)delay.TotalMilliseconds, ex);
                try { await loopBackoff.WaitAsync(delay, stoppingToken); }
                catch (OperationCanceledException) { return; }
            }
        }
    }

    private async Task WhenStartedAsync(CancellationToken stoppingToken)
    {
        var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using var onStarted = lifetime.ApplicationStarted.Register(() => started.TrySetResult());
        using var onStopping = stoppingToken.Register(() => started.TrySetCanceled(stoppingToken));
        await started.Task;
    }

    private async Task RunAsync(CancellationToken stoppingToken)
    {
        // Leases left by a killed predecessor would only delay its orders (SQLite: every lease, one dispatcher per file;
        // a cluster: this node's own). Other nodes' due orders are found by the poll below: the next due time counts
        // their leases, so a dead node's orders are claimed here when its lease ends, without a signal.
        await outbox.ReleaseAllLeasesAsync(stoppingToken);
        Log.DispatcherEndpoint(logger, endpoint.IsBuiltIn ? "the built-in order API" : endpoint.Redacted());
        var lease = TimeSpan.FromSeconds(Settings.TimeoutSeconds) + TimeSpan.FromSeconds(30);
        // A sliding window of deliveries rather than batches: one stalled request must not hold back the others.
        var inFlight = new HashSet<Task>();
        var pendingCountedAt = long.MinValue;
        try
        {
            while (!stoppingToken.IsCancellationRequested)
            {
                var free = Settings.DispatchParallelism - inFlight.Count;
                var claimed = 0;
                if (free > 0)
                {
                    var due = await outbox.ClaimDueAsync(time.GetUtcNow(), free, lease, stoppingToken);
                    claimed = due.Count;
                    foreach (var order in due) inFlight.Add(DeliverGuardedAsync(order, stoppingToken));
                }
                // Counting scans the pending rows: while draining a backlog once a second is plenty for a gauge;
                // before waiting it is always counted, so the gauge ends at the true value.
                var busy = free > 0 && claimed == free;
                if (!busy || pendingCountedAt == long.MinValue || Stopwatch.GetElapsedTime(pendingCountedAt) >= TimeSpan.FromSeconds(1))
                {
                    ChatMetrics.OutboxPending.Set(await outbox.CountPendingAsync(stoppingToken));
                    pendingCountedAt = Stopwatch.GetTimestamp();
                }
                if (busy) continue;

                var poll = TimeSpan.FromMilliseconds(Settings.PollIntervalMilliseconds);
                var wait = free > claimed && await outbox.NextDueAtAsync(stoppingToken) is { } next
                    ? TimeSpan.FromTicks(Math.Clamp((next - time.GetUtcNow()).Ticks, 0, poll.Ticks))
                    : poll;
                if (wait > TimeSpan.Zero)
                {
                    using var waiting = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken);
                    var wake = signal.WaitAsync(wait, time, waiting.Token);
                    await Task.WhenAny(inFlight.Append(wake));
                    waiting.Cancel();
                    try { await wake; }
                    catch (OperationCanceledException) when (!stoppingToken.IsCancellationRequested) { }
                }
                inFlight.RemoveWhere(t => t.IsCompleted);
            }
        }
        finally
        {
            // On shutdown the requests are cancelled; their orders stay pending and are sent again after restart.
            await Task.WhenAll(inFlight);
        }
    }

    private async Task DeliverGuardedAsync(OrderRecord order, CancellationToken stoppingToken)
    {
        try
        {
            await DeliverAsync(order, stoppingToken);
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
        catch (Exception ex)
        {
            // The order stays pending and leased; it is tried again when the lease runs out.
            Log.DeliveryFailed(logger, order.OrderId, ex);
        }
    }

    private async Task DeliverAsync(OrderRecord order, CancellationToken cancellationToken)
    {
        var attempt = order.Attempts + 1;
        var result = await client.DeliverAsync(order, cancellationToken);
        var now = time.GetUtcNow();
        switch (result.Kind)
        {
            case DeliveryKind.Confirmed:
                if (!await outbox.MarkConfirmedAsync(order.OrderId, attempt, now, cancellationToken)) return;
                ChatMetrics.Orders.WithLabels(OrderStatus.Confirmed).Inc();
                ChatMetrics.SalesAmount.WithLabels(order.ChannelId, order.Currency).Inc(order.UnitPriceCents * (double)order.Quantity);
                Log.OrderConfirmed(logger, order.OrderId, attempt);
                announcer.Confirmed(order, result.CheckoutUrl);
                return;

            case DeliveryKind.Rejected:
                if (await outbox.MarkFailedAsync(order.OrderId, attempt, result.Error, now, cancellationToken) is not { } release) return;
                ChatMetrics.Orders.WithLabels(OrderStatus.Failed).Inc();
                Log.OrderFailed(logger, order.OrderId, result.StatusCode ?? 0);
                stock.GiveBack(order.ChannelId, release);
                announcer.Failed(order);
                return;

            case DeliveryKind.Misconfigured:
                // The order is fine and the endpoint is not: never failed, never released. It is retried like any
                // other retryable answer, so it still dead-letters after MaxAttempts, keeping its stock, and can be
                // re-sent with POST /api/v1/orders/{orderId}/redeliver once the configuration is fixed.
                ChatMetrics.OrderApiMisconfigured.Inc();
                Log.OrderApiMisconfigured(logger, endpoint.Redacted(), result.StatusCode ?? 0, order.OrderId);
                goto default;

            default:
                if (attempt >= Settings.MaxAttempts)
                {
                    // Stock stays reserved: the API may have taken the order without answering; an operator decides.
                    if (!await outbox.MarkDeadLetterAsync(order.OrderId, attempt, result.Error, now, cancellationToken)) return;
                    ChatMetrics.Orders.WithLabels(OrderStatus.DeadLetter).Inc();
                    ChatMetrics.DeadLetters.Inc();
                    Log.OrderDeadLettered(logger, order.OrderId, attempt, result.Error);
                    return;
                }
                var delay = WebhookPost.RetryDelay(attempt, result.RetryAfter, Settings.InitialBackoffMilliseconds, Settings.MaxBackoffSeconds);
                await outbox.ScheduleRetryAsync(order.OrderId, attempt, now + delay, result.Error, now, cancellationToken);
                Log.OrderRetry(logger, order.OrderId, attempt, result.Error, (long)delay.TotalMilliseconds);
                return;
        }
    }
}
