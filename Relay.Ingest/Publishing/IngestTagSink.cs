using System.Diagnostics;
using Microsoft.Extensions.Logging;
using Relay.Ingest.Diagnostics;
using Relay.Ingest.Media;
using Relay.Ingest.Streams;

namespace Relay.Ingest.Publishing;

/// <summary>Hands each tag to the channel (its switch, then the hub) and keeps the per-channel ingest gauges and the first-media log.</summary>
internal struct IngestTagSink(ChannelInput input, long publishStarted, ILogger logger)
{
    /// <summary>
    /// Largest onMetaData body kept. The hub keeps metadata as the stream's header and sends it first to every new
    /// viewer, destination and recording; real encoders send well under 1 KiB. Larger metadata is dropped (the
    /// stream goes on, with the last metadata that fit, if any).
    /// </summary>
    public const int MaxMetadataBytes = 16 * 1024;

    private bool _sawMedia;
    private bool _droppedMetadata;
    private long _lastGaugeUpdate;

    public void Publish(Media.FlvTag tag)
    {
        var hub = input.Session.Hub;
        if (tag.Kind == Media.FlvTagKind.Metadata && tag.BodyLength > MaxMetadataBytes)
        {
            IngestMetrics.MetadataDropped.WithLabels(hub.ChannelId).Inc();
            if (!_droppedMetadata)
            {
                // Once per session: a publisher repeating it must not flood the log.
                _droppedMetadata = true;
                PublishingLog.MetadataDropped(logger, hub.ChannelId, tag.BodyLength, MaxMetadataBytes);
            }

            return;
        }

        if (!_sawMedia)
        {
            _sawMedia = true;
            PublishingLog.FirstMedia(logger, hub.ChannelId, Stopwatch.GetElapsedTime(publishStarted).TotalMilliseconds);
        }

        input.Publish(tag);
        var now = Stopwatch.GetTimestamp();
        if (Stopwatch.GetElapsedTime(_lastGaugeUpdate, now) >= TimeSpan.FromSeconds(1))
        {
            _lastGaugeUpdate = now;
            var (bits, fps, keyframeIntervalSeconds) = hub.GetRates();
            IngestMetrics.BitrateBitsPerSecond.WithLabels(hub.ChannelId).Set(bits ?? 0);
            IngestMetrics.FramesPerSecond.WithLabels(hub.ChannelId).Set(fps ?? 0);
            if (keyframeIntervalSeconds is { } keyframeInterval)
            {
                IngestMetrics.KeyframeIntervalSeconds.WithLabels(hub.ChannelId).Set(keyframeInterval);
            }
        }
    }
}
