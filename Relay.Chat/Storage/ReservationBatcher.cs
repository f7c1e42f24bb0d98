using System.Threading.Channels;
using Relay.Chat.Purchases;

namespace Relay.Chat.Storage;

/// <summary>
/// Group commit for reservations. Purchases queue here; one writer loop takes everything that is waiting (up to
/// <see cref="MaxBatch"/>), runs it in ONE write transaction and answers each caller only after that transaction
/// committed, so a <c>reserved</c> answer always has its order row on disk. While a batch commits, the next one
/// forms: the busier the sale, the bigger the batches and the fewer commits per purchase. First come, first served:
/// the queue is FIFO and a batch applies its reservations in queue order.
/// </summary>
internal sealed class ReservationBatcher : IAsyncDisposable
{
    public const int MaxBatch = 512;

    private readonly Channel<Pending> _queue = Channel.CreateUnbounded<Pending>(new UnboundedChannelOptions { SingleReader = true });
    private readonly Func<IReadOnlyList<ReservationRequest>, Task<IReadOnlyList<ReservationOutcome>>> _write;
    private readonly Lock _startGate = new();
    private Task? _loop;

    /// <param name="write">Applies the reservations in one transaction, in order; returns one outcome each after the commit.</param>
    public ReservationBatcher(Func<IReadOnlyList<ReservationRequest>, Task<IReadOnlyList<ReservationOutcome>>> write) => _write = write;

    public Task<ReservationOutcome> ReserveAsync(ReservationRequest request, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        // Continuations run off the writer loop, so answering 500 callers never delays the next batch.
        var pending = new Pending(request, cancellationToken, new TaskCompletionSource<ReservationOutcome>(TaskCreationOptions.RunContinuationsAsynchronously));
        EnsureStarted();
        if (!_queue.Writer.TryWrite(pending)) throw new ObjectDisposedException(nameof(ReservationBatcher));
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
        var requests = new List<ReservationRequest>(MaxBatch);
        while (await _queue.Reader.WaitToReadAsync())
        {
            batch.Clear();
            requests.Clear();
            while (batch.Count < MaxBatch && _queue.Reader.TryRead(out var next))
            {
                // A caller that went away before its turn (connection closed) is dropped: nothing was written for it.
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
            catch (Exception) when (batch.Count > 1)
            {
                // The transaction rolled back as a whole; one bad reservation must not fail the others, so each one
                // is tried again in a transaction of its own and only the failing ones get the error.
                foreach (var one in batch)
                {
                    try { one.Answer.TrySetResult((await _write([one.Request]))[0]); }
                    catch (Exception ex) { one.Answer.TrySetException(ex); }
                }
            }
            catch (Exception ex)
            {
                batch[0].Answer.TrySetException(ex);
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        _queue.Writer.TryComplete();
        if (_loop is { } loop) await loop;
    }

    private sealed record Pending(ReservationRequest Request, CancellationToken CancellationToken, TaskCompletionSource<ReservationOutcome> Answer);
}
