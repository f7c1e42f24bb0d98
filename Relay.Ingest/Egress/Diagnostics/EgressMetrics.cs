using Prometheus;

namespace Relay.Ingest.Egress.Diagnostics;

/// <summary>Per-destination series (CONTRACT.md metrics). Labels are ids only, never URLs or keys.</summary>
public static class EgressMetrics
{
    private static readonly string[] Labels = ["channel", "destination", "platform"];

    public static readonly Counter TranscodesRefused = Metrics.CreateCounter("relay_egress_transcodes_refused_total", "Destinations not started because the transcode budget (Relay:Egress:MaxTranscodesPerChannel, MaxTranscodes) was used up.");

    public static readonly Gauge Up = Metrics.CreateGauge("relay_destination_up", "1 while the destination is live, else 0.", Labels);

    public static readonly Counter Bytes = Metrics.CreateCounter("relay_destination_bytes_total", "Bytes written to the destination (RTMP wire bytes, or FLV fed to its ffmpeg).", Labels);

    public static readonly Counter Reconnects = Metrics.CreateCounter("relay_destination_reconnects_total", "Push attempts that failed and were retried.", Labels);

    public static readonly Counter DroppedFrames = Metrics.CreateCounter("relay_destination_dropped_frames_total", "Frames dropped because the destination fell behind.", Labels);

    public static readonly Gauge QueueSeconds = Metrics.CreateGauge("relay_destination_queue_seconds", "Media time waiting in the destination's queue.", Labels);

    public static void Remove(string[] labels)
    {
        Up.RemoveLabelled(labels);
        Bytes.RemoveLabelled(labels);
        Reconnects.RemoveLabelled(labels);
        DroppedFrames.RemoveLabelled(labels);
        QueueSeconds.RemoveLabelled(labels);
    }
}
