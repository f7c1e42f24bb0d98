using System.Threading.Channels;

namespace Relay.Chat.Webhooks;

/// <summary>Wakes a dispatcher when its outbox was written, so delivery starts at once instead of at the next poll.</summary>
internal class DispatchSignal
{
    private readonly Channel<bool> _wake = Channel.CreateBounded<bool>(new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropWrite });

    public void Notify() => _wake.Writer.TryWrite(true);

    public async Task WaitAsync(TimeSpan timeout, TimeProvider time, CancellationToken cancellationToken)
    {
        using var timeoutSource = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        // Disposing the timer does not wait for a callback already running: one that fires as the wait ends finds the
        // source disposed, and an exception out of a timer callback would end the process.
        using var timer = time.CreateTimer(_ => CancelQuietly(timeoutSource), null, timeout, Timeout.InfiniteTimeSpan);
        try
        {
            await _wake.Reader.ReadAsync(timeoutSource.Token);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            // Timed out: time for a poll.
        }
    }

    private static void CancelQuietly(CancellationTokenSource source)
    {
        try
        {
            source.Cancel();
        }
        catch (ObjectDisposedException)
        {
        }
    }
}
