using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Relay.Chat.Diagnostics;
using Relay.Chat.Ledger;
using Relay.Chat.Orders;
using Relay.Chat.Rooms;
using Relay.Common.Resilience;

namespace Relay.Chat.Draws;

/// <summary>
/// Ends draws when their time is up, on every node: each looks for due draws once a second and tries to end them; the
/// end is one guarded transition in the database (<see cref="IDrawStore.EndDrawAsync"/>), so exactly one try ends a
/// draw, writes its winners' prize orders to the outbox and announces the result (`drawResult`). A draw due while the
/// process was down ends at its next start. A failing clock (the database gone) is logged and restarts after a growing
/// pause, as the order dispatcher's loop does, rather than once a second for as long as the outage lasts.
/// </summary>
internal sealed class DrawClock(IDrawStore store, RoomEvents events, OrderDispatchSignal dispatch, TimeProvider time, ILogger<DrawClock> logger) : BackgroundService
{
    internal static readonly TimeSpan Period = TimeSpan.FromSeconds(1);

    private static readonly BackoffPolicy LoopBackoff = new(TimeSpan.FromMilliseconds(500), TimeSpan.FromSeconds(30), BackoffJitter.None);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var backoff = new BackoffCounter(LoopBackoff, time);
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                using var timer = new PeriodicTimer(Period, time);
                while (await timer.WaitForNextTickAsync(stoppingToken))
                {
                    await RoundAsync(stoppingToken);
                    backoff.Reset();
                }
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex)
            {
                var delay = backoff.Next();
                Log.DrawClockFailed(logger, (long)delay.TotalMilliseconds, ex);
                try { await backoff.WaitAsync(delay, stoppingToken); }
                catch (OperationCanceledException) { return; }
            }
        }
    }

    internal async Task RoundAsync(CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        foreach (var (drawId, channelId) in await store.DueDrawsAsync(now, cancellationToken))
        {
            try
            {
                if (await store.EndDrawAsync(drawId, now, cancellationToken) is not { } ended) continue;
                if (ended.WinnerList.Count > 0) dispatch.Notify();
                Log.DrawEnded(logger, drawId, channelId, ended.WinnerList.Count, ended.Entrants);
                await events.PublishSafeAsync(new RoomEvent { ChannelId = channelId, Kind = RoomEventKind.DrawEnded, Draw = DrawViews.Of(ended) });
            }
            catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
            {
                Log.DrawEndFailed(logger, drawId, channelId, ex);
            }
        }
    }
}
