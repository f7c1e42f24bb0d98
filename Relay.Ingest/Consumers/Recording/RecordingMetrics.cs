using Prometheus;

namespace Relay.Ingest.Consumers.Recording;

public static class RecordingMetrics
{
    public static readonly Counter Bytes = Metrics.CreateCounter(
        "relay_recording_bytes_total", "FLV bytes written to recordings.", "channel");

    public static readonly Gauge Active = Metrics.CreateGauge(
        "relay_recordings_active", "Live sessions being recorded.");

    public static readonly Gauge DiskFreeBytes = Metrics.CreateGauge(
        "relay_recording_disk_free_bytes", "Free bytes on the fuller of the disks holding the recordings and the data directory (the order database).");

    public static readonly Gauge MinFreeBytes = Metrics.CreateGauge(
        "relay_recording_min_free_bytes", "Relay:Recording:MinFreeBytes: below this free space recordings stop or do not start.");

    public static readonly Counter LowDiskStops = CreateLowDiskStops();

    public static readonly Counter Deleted = Metrics.CreateCounter(
        "relay_recording_deleted_total", "Recordings deleted because they were older than Relay:Recording:RetentionDays.");

    private static Counter CreateLowDiskStops()
    {
        var counter = Metrics.CreateCounter(
            "relay_recording_low_disk_total", "Recordings not started (refused) or stopped (stopped) because free disk space fell below Relay:Recording:MinFreeBytes.", "action");
        counter.WithLabels("refused");
        counter.WithLabels("stopped");
        return counter;
    }
}
