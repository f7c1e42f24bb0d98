using Microsoft.AspNetCore.Routing;
using Relay.Ingest.Consumers.Hls;
using Relay.Ingest.Consumers.HttpFlv;

namespace Relay.Ingest.Consumers;

/// <summary>The HTTP playback routes of every consumer that has one, mapped at once (HTTP-FLV, HLS and low-latency HLS).</summary>
public static class PlaybackEndpoints
{
    public static IEndpointRouteBuilder MapRelayPlayback(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapRelayHttpFlv();
        endpoints.MapRelayHls();
        endpoints.MapRelayLowLatencyHls();
        return endpoints;
    }
}
