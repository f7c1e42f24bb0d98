using Microsoft.Extensions.Logging;

namespace Relay.Ingest.Streams;

/// <summary>
/// One background task per live channel for a consumer of its stream (HLS packager, recorder). A new live session
/// of the same channel waits for the previous one's task, so a quick reconnect can never have the old session's
/// cleanup delete the new session's files. <see cref="StopAllAsync"/> cancels and awaits everything (shutdown).
/// </summary>
internal sealed class ChannelWorkers(ILogger logger, string consumer)
{
    private readonly Lock _lock = new();
    private readonly Dictionary<string, Worker> _workers = new(StringComparer.Ordinal);
    private readonly CancellationTokenSource _shutdown = new();

    public bool IsRunning(string channelId)
    {
        lock (_lock)
        {
            return _workers.ContainsKey(channelId);
        }
    }

    /// <summary>Completes when the channel's current worker (if any) has finished; never throws.</summary>
    public Task WhenIdleAsync(string channelId)
    {
        lock (_lock)
        {
            return _workers.TryGetValue(channelId, out var worker) ? worker.Task : Task.CompletedTask;
        }
    }

    /// <summary>Runs <paramref name="run"/> for the channel once its previous worker (if any) has finished; false during shutdown.</summary>
    public bool Start(string channelId, Func<CancellationToken, Task> run)
    {
        lock (_lock)
        {
            if (_shutdown.IsCancellationRequested)
            {
                return false;
            }

            _workers.TryGetValue(channelId, out var previous);
            var worker = new Worker(CancellationTokenSource.CreateLinkedTokenSource(_shutdown.Token));
            _workers[channelId] = worker;
            worker.Task = RunAsync(channelId, worker, previous?.Task, run);
            return true;
        }
    }

    /// <summary>Cancels the channel's running worker, if any (it ends as on shutdown).</summary>
    public void Cancel(string channelId)
    {
        lock (_lock)
        {
            if (_workers.TryGetValue(channelId, out var worker))
            {
                try
                {
                    worker.Cancellation.Cancel();
                }
                catch (ObjectDisposedException)
                {
                    // Finished meanwhile.
                }
            }
        }
    }

    public async Task StopAllAsync()
    {
        Task[] running;
        lock (_lock)
        {
            _shutdown.Cancel();
            running = [.. _workers.Values.Select(w => w.Task)];
        }

        await Task.WhenAll(running).ConfigureAwait(false);
    }

    private async Task RunAsync(string channelId, Worker worker, Task? previous, Func<CancellationToken, Task> run)
    {
        // Off the caller's thread: the live/offline notification runs on the ingest path and must return at once.
        await Task.Yield();
        try
        {
            if (previous is not null)
            {
                await previous.ConfigureAwait(false);
            }

            await run(worker.Cancellation.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (worker.Cancellation.IsCancellationRequested)
        {
        }
        catch (Exception ex)
        {
            // The worker's own loop handles expected failures; this is the last line that keeps the host alive.
            logger.LogError(ex, "{Consumer} of channel {ChannelId} failed", consumer, channelId);
        }
        finally
        {
            lock (_lock)
            {
                if (_workers.TryGetValue(channelId, out var current) && ReferenceEquals(current, worker))
                {
                    _workers.Remove(channelId);
                }
            }

            worker.Cancellation.Dispose();
        }
    }

    private sealed class Worker(CancellationTokenSource cancellation)
    {
        public CancellationTokenSource Cancellation { get; } = cancellation;

        public Task Task { get; set; } = Task.CompletedTask;
    }
}
