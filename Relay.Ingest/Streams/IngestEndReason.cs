namespace Relay.Ingest.Streams;

/// <summary>
/// Why a publish ended, the <c>reason</c> label of <c>relay_ingest_end_total</c>: a small closed set, so an alert can
/// tell an end of show from an accident (docs/metrics.md).
/// </summary>
public static class IngestEndReason
{
    /// <summary>The encoder said it was done (FCUnpublish or deleteStream: OBS's "Stop Streaming", ffmpeg quitting).</summary>
    public const string Unpublish = "unpublish";

    /// <summary>The publisher went without unpublishing: connection lost or reset, inactivity timeout, broken RTMP.</summary>
    public const string Dropped = "dropped";

    /// <summary>The relay ended it: the stream key rotated, the channel deleted, this node lost the channel's lease, shutdown.</summary>
    public const string Refused = "refused";

    /// <summary>Any end of a publish that was a rehearsal when it ended (the channel's switch, or a test publish).</summary>
    public const string Rehearsal = "rehearsal";

    public static IReadOnlyList<string> All { get; } = [Unpublish, Dropped, Refused, Rehearsal];
}
