
namespace Relay.Ingest.Streams;

/// <summary>
/// One publisher's tenure on a channel: its hub and the switch that disconnects it. A mirrored session is fed from the
/// owner node's stream instead of a publisher (a cluster's non-owner serving its own viewers).
/// </summary>
/// <param name="testPublish">Published with a test key (<c>?bandwidthtest</c>, <c>?test</c>): a rehearsal for its whole life.</param>
internal sealed class PublisherSession(StreamHub hub, bool mirrored = false, bool testPublish = false)
{
    private readonly CancellationTokenSource _stop = new();
    private readonly TaskCompletionSource _ended = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public StreamHub Hub { get; } = hub;

    /// <summary>Fed from another node's stream, not published here: no egress, no recording, no ingest gauges.</summary>
    public bool Mirrored { get; } = mirrored;

    /// <summary>A rehearsal for its whole life, whatever the channel's switch says.</summary>
    public bool TestPublish { get; } = testPublish;

    /// <summary>
    /// Taken while the session turns public or private and when it ends, so the observers hear "live" and "offline"
    /// alternately and never after the end (<see cref="LiveChannelRegistry"/>).
    /// </summary>
    public Lock Gate { get; } = new();

    /// <summary>The observers were told "live" and not "offline" since: public playback, egress and recording run. Under <see cref="Gate"/>.</summary>
    public bool Public { get; set; }

    /// <summary>The publish has ended (no more turns). Under <see cref="Gate"/>.</summary>
    public bool Over { get; set; }

    /// <summary>Cancelled when the server asks to disconnect the publisher.</summary>
    public CancellationToken StopRequested => _stop.Token;

    public Task Ended => _ended.Task;

    /// <summary>
    /// The switch point of a published session (its inputs and the slate feed <see cref="Hub"/>); null for a mirror,
    /// which is fed by the owner node's stream.
    /// </summary>
    public ChannelSwitch? Switch { get; set; }

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
