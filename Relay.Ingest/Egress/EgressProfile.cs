namespace Relay.Ingest.Egress;

/// <summary>A transcode profile. Every field is optional; a profile with none set does not transcode.</summary>
/// <param name="Aspect">"9:16" crops/pads the picture to portrait; null keeps the source's aspect.</param>
public sealed record EgressProfile(
    int? VideoBitrateKbps = null,
    int? MaxWidth = null,
    int? MaxHeight = null,
    int? Fps = null,
    double? KeyframeIntervalSeconds = null,
    string? Aspect = null,
    int? AudioBitrateKbps = null)
{
    public bool Transcodes =>
        VideoBitrateKbps is not null || MaxWidth is not null || MaxHeight is not null || Fps is not null ||
        KeyframeIntervalSeconds is not null || Aspect is not null || AudioBitrateKbps is not null;
}
