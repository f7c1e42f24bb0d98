using System.Diagnostics;
using Relay.Ingest.Media;

namespace Relay.Ingest.Streams;

/// <summary>
/// One publisher connection feeding a channel: the primary or the backup. Its tags go through the channel's
/// <see cref="ChannelSwitch"/>, which puts at most one input on air. The fields below <see cref="StopRequested"/> are
/// the switch's, read and written under its lock.
/// </summary>
internal sealed class ChannelInput
{
    private readonly CancellationTokenSource _stop;
    private long _lastMedia;

    public ChannelInput(PublisherSession session, IngestInput role)
    {
        Session = session;
        Role = role;
        _stop = CancellationTokenSource.CreateLinkedTokenSource(session.StopRequested);
        _lastMedia = Stopwatch.GetTimestamp();
    }

    public PublisherSession Session { get; }

    public IngestInput Role { get; }

    public string ChannelId => Session.Hub.ChannelId;

    /// <summary>Cancelled when the server disconnects this publisher (alone, or with the whole channel).</summary>
    public CancellationToken StopRequested => _stop.Token;

    /// <summary>Disconnected by the server on its own (replaced by a reconnect, its key rotated): the channel goes on.</summary>
    public bool CutAlone { get; private set; }

    /// <summary>When the last tag arrived (<see cref="Stopwatch"/> ticks); the switch's silence watchdog reads it.</summary>
    public long LastMedia => Volatile.Read(ref _lastMedia);

    /// <summary>Offset added to this input's timestamps while on air, so the channel's output continues.</summary>
    internal long Offset { get; set; }

    /// <summary>Detached from the switch (the connection ended).</summary>
    internal bool Ended { get; set; }

    internal FlvTag? Metadata { get; private set; }

    internal FlvTag? VideoHeader { get; private set; }

    internal FlvTag? AudioHeader { get; private set; }

    /// <summary>Hands a tag of this publisher to the channel (the publisher's thread).</summary>
    public void Publish(FlvTag tag)
    {
        Volatile.Write(ref _lastMedia, Stopwatch.GetTimestamp());
        Session.Switch!.Publish(this, tag);
    }

    /// <summary>Disconnects this publisher only; the channel stays with its other input or the slate.</summary>
    public void Cut()
    {
        CutAlone = true;
        try
        {
            _stop.Cancel();
        }
        catch (ObjectDisposedException)
        {
        }
    }

    /// <summary>Keeps what a decoder needs when this input goes on air later (under the switch's lock).</summary>
    internal void Remember(FlvTag tag)
    {
        switch (tag.Kind)
        {
            case FlvTagKind.Metadata:
                Metadata = tag;
                break;
            case FlvTagKind.VideoSequenceHeader:
                VideoHeader = tag;
                break;
            case FlvTagKind.AudioSequenceHeader:
                AudioHeader = tag;
                break;
        }
    }

    public override string ToString() => $"{OnAirSource.Of(Role)} of {ChannelId}";
}
