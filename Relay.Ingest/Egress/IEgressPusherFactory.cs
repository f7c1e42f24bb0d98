namespace Relay.Ingest.Egress;

/// <summary>
/// Chooses the engine for a destination: the native pusher; ffmpeg into the native pusher when its profile changes the
/// media or the destination asks for <c>engine: ffmpeg</c>. The native pusher always publishes.
/// </summary>
public interface IEgressPusherFactory
{
    /// <summary>Returns a pusher, or null and why the destination cannot be pushed as configured.</summary>
    (IEgressPusher? Pusher, string? Error) Create(EgressDestination destination, EgressOptions options);
}
