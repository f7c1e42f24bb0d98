using Prometheus;

namespace Relay.Ingest.Diagnostics;

/// <summary>Relay's ingest metrics, defined with prometheus-net's native API (see STYLE.md on MeterAdapter).</summary>
public static class IngestMetrics
{
    public static readonly Gauge Live = Metrics.CreateGauge(
        "relay_ingest_live", "1 while the channel has a public publisher (0 while it rehearses).", "channel");

    public static readonly Counter End = Metrics.CreateCounter(
        "relay_ingest_end_total", "Publishes that ended, by reason (unpublish, dropped, refused, rehearsal).", "channel", "reason");

    public static readonly Gauge SlateActive = Metrics.CreateGauge(
        "relay_ingest_slate_active", "1 while the channel's publisher has dropped and the slate holds the channel (destinations and viewers stay connected).", "channel");

    public static readonly Counter Failovers = Metrics.CreateCounter(
        "relay_ingest_failovers_total", "Switches of what a live channel carries, by what went on air (primary, backup, slate).", "channel", "to");

    public static readonly Counter Rehearsals = Metrics.CreateCounter(
        "relay_ingest_rehearsals_total", "Publishes accepted as rehearsals (the channel's switch or a ?bandwidthtest / ?test key).", "channel");

    public static readonly Gauge BitrateBitsPerSecond = Metrics.CreateGauge(
        "relay_ingest_bitrate_bits_per_second", "Ingest bitrate over the last seconds of media.", "channel");

    public static readonly Gauge FramesPerSecond = Metrics.CreateGauge(
        "relay_ingest_frames_per_second", "Ingest video frame rate over the last seconds of media.", "channel");

    public static readonly Gauge KeyframeIntervalSeconds = Metrics.CreateGauge(
        "relay_ingest_keyframe_interval_seconds", "Seconds between the last video keyframes of the ingest (platforms want 2 or less).", "channel");

    public static readonly Counter IngestBytes = Metrics.CreateCounter(
        "relay_ingest_bytes_total", "FLV bytes received from the publisher.", "channel");

    public static readonly Counter Rejected = Metrics.CreateCounter(
        "relay_ingest_rejected_total", "RTMP connections refused by the gateway, by reason.", "reason");

    public static readonly Counter MetadataDropped = Metrics.CreateCounter(
        "relay_ingest_metadata_dropped_total", "onMetaData messages dropped for being larger than 16 KiB.", "channel");

    public static readonly Gauge FfmpegProcesses = Metrics.CreateGauge(
        "relay_ffmpeg_processes", "Running ffmpeg child processes.", "role");

    public static readonly Counter FfmpegExits = Metrics.CreateCounter(
        "relay_ffmpeg_exits_total", "ffmpeg child process exits by outcome (clean, error, killed, start_failed).", "role", "outcome");

    public static readonly Counter FanoutDroppedFrames = Metrics.CreateCounter(
        "relay_fanout_dropped_frames_total", "Frames a slow subscriber skipped (keyframe-aware drop).", "channel", "kind");

    public static readonly Gauge FanoutSubscribers = Metrics.CreateGauge(
        "relay_fanout_subscribers", "Subscribers attached to live channels.", "channel", "kind");

    public static readonly Gauge GatewayPendingConnections = Metrics.CreateGauge(
        "relay_ingest_pending_connections", "RTMP connections not yet authorized.");
}
