namespace Relay.Ingest.Media;

/// <summary>An Enhanced RTMP tag header as <see cref="EnhancedRtmp.TryReadHeader"/> read it.</summary>
/// <param name="PacketType">The packet type after ModEx prefixes; for multitrack, the tracks' packet type.</param>
/// <param name="FourCc">The codec; 0 for ManyTracksManyCodecs (each track names its own).</param>
/// <param name="TracksStart">Where the payload starts (single track) or the first track entry (multitrack).</param>
public readonly record struct ExHeader(int PacketType, uint FourCc, bool IsMultitrack, int MultitrackType, int TracksStart);
