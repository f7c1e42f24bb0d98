namespace Relay.Ingest.Media;

/// <summary>One access unit of a fragmented MP4 track, in its track's timescale.</summary>
/// <param name="DecodeTime">Decode time (the FLV timestamp in the track's timescale).</param>
/// <param name="Duration">Until the next sample's decode time.</param>
/// <param name="CompositionOffset">Presentation minus decode time (B-frames), 0 for audio.</param>
/// <param name="Keyframe">A sync sample: decoding may start here.</param>
/// <param name="Data">The sample's bytes: length-prefixed NAL units for H.264, a raw AAC frame for audio.</param>
internal readonly record struct Fmp4Sample(long DecodeTime, int Duration, int CompositionOffset, bool Keyframe, ReadOnlyMemory<byte> Data);
