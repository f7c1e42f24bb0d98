using Prometheus;

namespace Relay.Ingest.Diagnostics;

/// <summary>
/// SRT's own link statistics (libsrt's <c>srt_bstats</c>, sampled once a second per publisher). Refusals, live state,
/// bitrate and frame rate are the ingest series every protocol shares (<see cref="IngestMetrics"/>).
/// </summary>
public static class SrtMetrics
{
    public static readonly Gauge Connections = Metrics.CreateGauge(
        "relay_srt_connections", "SRT publishers connected (authorized and live).");

    public static readonly Counter PacketsReceived = Metrics.CreateCounter(
        "relay_srt_packets_received_total", "SRT data packets received from the publisher, retransmissions included.", "channel");

    public static readonly Counter PacketsLost = Metrics.CreateCounter(
        "relay_srt_packets_lost_total", "SRT packets detected missing (and asked for again); most come back as retransmissions.", "channel");

    public static readonly Counter PacketsRetransmitted = Metrics.CreateCounter(
        "relay_srt_packets_retransmitted_total", "SRT retransmitted packets received.", "channel");

    public static readonly Counter PacketsDropped = Metrics.CreateCounter(
        "relay_srt_packets_dropped_total", "SRT packets given up because they came later than the latency (media lost).", "channel");

    public static readonly Gauge RttSeconds = Metrics.CreateGauge(
        "relay_srt_rtt_seconds", "Round-trip time of the SRT link, as libsrt smooths it.", "channel");
}
