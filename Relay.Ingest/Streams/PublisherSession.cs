
namespace Relay.Ingest.Streams;

/// <summary>One publisher's tenure on a channel: its hub and the switch that disconnects it.</summary>
internal sealed class PublisherSession(StreamHub hub)
{
    private readonly CancellationTokenSource _stop = new();
    private readonly TaskCompletionSource _ended = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public StreamHub Hub { get; } = hub;

    /// <summary>Cancelled when the server asks to disconnect the publisher.</summary>
    public CancellationToken StopRequested => _stop.Token;

    public Task Ended => _ended.Task;

    public Task StopAsync()
    {
        try
        {
            _stop.Cancel();
        }
        catch (ObjectDisposedException)
        {
        }

        return _ended.Task;
    }

    public void MarkEnded() => _ended.TrySetResult();
}
