namespace Relay.Server.Apis.Views;

/// <summary>A platform's checks in <c>GET /api/v1/platforms</c>; null = not checked (the platform states no limit).</summary>
/// <param name="VideoCodec">"h264" when the platform expects H.264 video (a transcoding destination always sends it).</param>
/// <param name="AudioCodec">"aac" when the platform expects AAC audio.</param>
/// <param name="MaxShortSidePixels">The largest picture, as its short side: 1080 = 1080p (1920x1080 or 1080x1920).</param>
/// <param name="Aspect">"9:16" for a vertical platform.</param>
/// <param name="VideoCodecs">
/// The video codecs the platform's RTMP ingest takes as they come: ["h264"], ["h264","hevc","av1"] (Enhanced RTMP), or
/// ["*"] for any; HEVC/AV1 is never pushed to a platform without them (docs/egress.md, Enhanced RTMP).
/// </param>
public sealed record PlatformChecksView(
    string? VideoCodec,
    string? AudioCodec,
    double? MaxKeyframeIntervalSeconds,
    int? MaxVideoBitrateKbps,
    int? MaxShortSidePixels,
    string? Aspect,
    bool RequiresAudioAndVideo,
    bool RequiresTls,
    IReadOnlyList<string>? VideoCodecs = null);
