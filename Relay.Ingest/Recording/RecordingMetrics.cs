using Prometheus;

namespace Relay.Ingest.Recording;

public static class RecordingMetrics
{
    public static readonly Counter Bytes = Metrics.CreateCounter(
        "relay_recording_bytes_total", "FLV bytes written to recordings.", "channel");

    public static readonly Gauge Active = Metrics.CreateGauge(
        "relay_recordings_active", "Live sessions being recorded.");
}
