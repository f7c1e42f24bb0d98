namespace Relay.Tests.Integration.Hls;

/// <summary>The ingest test host runs without HLS and recording; playback tests turn them on here.</summary>
internal static class PlaybackSettings
{
    public static Dictionary<string, string?> AllOn(bool hls = true, bool recording = true) => new()
    {
        ["Relay:Hls:Enabled"] = hls ? "true" : "false",
        ["Relay:Recording:Enabled"] = recording ? "true" : "false",
    };
}
