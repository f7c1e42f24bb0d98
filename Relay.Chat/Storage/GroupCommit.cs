using System.Threading.Channels;

namespace Relay.Chat.Storage;

/// <summary>
/// Group commit. Writes (reservations, order confirmations, the built-in order API's accepts) queue here; one writer
/// loop takes everything that is waiting (up to <see cref="MaxBatch"/>), runs it in ONE write transaction and answers
/// each caller only after that transaction committed, so a <c>reserved</c> answer always has its order row in the
/// database. While a batch commits, the next one forms: the busier the sale, the bigger the batches and the fewer
/// commits per purchase. First come, first served: the queue is FIFO and a batch applies its writes in queue order,
/// each one seeing the effect of those before it.
/// </summary>
internal sealed class GroupCommit<TRequest, TResult> : IAsyncDisposable
{
    public const int MaxBatch = 512;

    private readonly Channel<Pending> _queue = Channel.CreateUnbounded<Pending>(new UnboundedChannelOptions { SingleReader = true });
    private readonly Func<IReadOnlyList<TRequest>, Task<IReadOnlyList<TResult>>> _write;
    private readonly Func<Exception, bool> _mayBeOneRequest;
    private readonly Lock _startGate = new();
    private Task? _loop;

    /// <param name="write">Applies the requests in one transaction, in order; returns one result each after the commit.</param>
    /// <param name="mayBeOneRequest">Whether a failed batch may be one request's fault, so each is tried alone (default:
    /// always). A database that is down fails every request at once instead of once per request.</param>
    public GroupCommit(Func<IReadOnlyList<TRequest>, Task<IReadOnlyList<TResult>>> write, Func<Exception, bool>? mayBeOneRequest = null)
    {
        _write = write;
        _mayBeOneRequest = mayBeOneRequest ?? (_ => true);
    }

    public Task<TResult> WriteAsync(TRequest request, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        // Continuations run off the writer loop, so answering 500 callers never delays the next batch.
        var pending = new Pending(request, cancellationToken, new TaskCompletionSource<TResult>(TaskCreationOptions.RunContinuationsAsynchronously));
        EnsureStarted();
        if (!_queue.Writer.TryWrite(pending)) throw new ObjectDisposedException(nameof(GroupCommit<TRequest, TResult>));
        // Not cancellable once queued: the caller learns the outcome of what may already be committed.
        return pending.Answer.Task;
    }

    private void EnsureStarted()
    {
        if (_loop is not null) return;
        lock (_startGate) _loop ??= Task.Run(RunAsync);
    }

    private async Task RunAsync()
    {
        var batch = new List<Pending>(MaxBatch);
        var requests = new List<TRequest>(MaxBatch);
        while (await _queue.Reader.WaitToReadAsync())
        {
            batch.Clear();
            requests.Clear();
            while (batch.Count < MaxBatch && _queue.Reader.TryRead(out var next))
            {
                // A caller that went away before its turn (connection closed) is dropped: nothing is written for it.
                if (next.CancellationToken.IsCancellationRequested) { next.Answer.TrySetCanceled(next.CancellationToken); continue; }
                batch.Add(next);
                requests.Add(next.Request);
            }
            if (batch.Count == 0) continue;
            try
            {
                var outcomes = await _write(requests);
                for (var i = 0; i < batch.Count; i++) batch[i].Answer.TrySetResult(outcomes[i]);
            }
            catch (Exception ex) when (batch.Count > 1 && _mayBeOneRequest(ex))
            {
                // The transaction rolled back as a whole; one bad request must not fail the others, so each one
                // is tried again in a transaction of its own and only the failing ones get the error.
                foreach (var one in batch)
                {
                    try { one.Answer.TrySetResult((await _write([one.Request]))[0]); }
                    catch (Exception alone) { one.Answer.TrySetException(alone); }
                }
            }
            catch (Exception ex)
            {
                // No answer without a known commit: every caller gets the error (a refusal, never a false `reserved`); a retry
                // with the same key finds the order if the commit went through after all.
                foreach (var one in batch) one.Answer.TrySetException(ex);
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        _queue.Writer.TryComplete();
        if (_loop is { } loop) await loop;
    }

    private sealed record Pending(TRequest Request, CancellationToken CancellationToken, TaskCompletionSource<TResult> Answer);
}
