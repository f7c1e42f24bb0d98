
namespace Relay.Ingest.Streams;

/// <summary>
/// One publisher's tenure on a channel: its hub and the switch that disconnects it. A mirrored session is fed from the
/// owner node's stream instead of a publisher (a cluster's non-owner serving its own viewers).
/// </summary>
internal sealed class PublisherSession(StreamHub hub, bool mirrored = false)
{
    private readonly CancellationTokenSource _stop = new();
    private readonly TaskCompletionSource _ended = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public StreamHub Hub { get; } = hub;

    /// <summary>Fed from another node's stream, not published here: no egress, no recording, no ingest gauges.</summary>
    public bool Mirrored { get; } = mirrored;

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
