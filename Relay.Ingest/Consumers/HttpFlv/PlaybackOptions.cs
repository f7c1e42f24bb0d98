namespace Relay.Ingest.Consumers.HttpFlv;

/// <summary>Settings under <c>Relay:Playback</c>.</summary>
public sealed class PlaybackOptions
{
    public const string SectionName = "Relay:Playback";

    /// <summary>
    /// HTTP-FLV viewers of one channel. Every viewer is served from the publisher's thread, so this bounds what
    /// anonymous viewers can add to the latency of the channel's paid destinations. Further viewers get 429.
    /// </summary>
    public int MaxViewersPerChannel { get; set; } = 1000;
}
