namespace Relay.Ingest.Consumers.Hls;

/// <summary>One LL-HLS part: a <c>moof</c> + <c>mdat</c> of about <see cref="HlsOptions.PartSeconds"/>.</summary>
/// <param name="Independent">Starts with a keyframe: a player may start decoding here.</param>
internal sealed record LowLatencyPart(byte[] Bytes, double DurationSeconds, bool Independent);
