namespace Relay.Ingest.Consumers.Hls;

/// <summary>A media-time event as the LL-HLS timed ID3 carries it (the value of the <c>relay-cue</c> TXXX frame).</summary>
/// <param name="Time">The stream time in seconds, as in the onCuePoint.</param>
internal sealed record CueMetadata(long Seq, string Kind, string Id, double Time);
