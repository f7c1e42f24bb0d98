using System.Threading.Channels;
using Relay.Ingest.Media;
using Relay.Ingest.Streams;

namespace Relay.Ingest.Egress.Source;

/// <summary>
/// What egress needs from the fan-out of one live channel: per destination, its own bounded, keyframe-aware
/// queue of shared <see cref="FlvTag"/>s that starts with metadata + sequence headers + the cached GOP.
/// <see cref="StreamHubEgressSource"/> is the production implementation over the ingest's <see cref="StreamHub"/>.
/// </summary>
public interface IEgressSource
{
    /// <param name="subscriberName">For the hub's logs; never a URL or a key.</param>
    IEgressFeed Subscribe(string subscriberName, int capacity);

    /// <summary>The live ingest as the hub measures it (codecs, keyframe interval, bitrate); null when unknown.</summary>
    IngestStatus? Ingest { get; }

    /// <summary>The codec of video track <paramref name="trackId"/> once its sequence header arrived; null while unknown.</summary>
    string? VideoCodecOf(int trackId) => trackId == 0 ? Ingest?.VideoCodec : null;
}
