namespace Relay.Tests.Common.Media;

/// <summary>
/// Tests that run real ffmpeg encoders share one collection so they run one after another: on a 2-core machine,
/// parallel x264 encoders starve each other and turn timing assertions (refusal within 1 s, no stalls) into
/// measurements of CPU contention instead of the relay.
/// </summary>
[CollectionDefinition(Name)]
public sealed class RealFfmpegCollection
{
    public const string Name = "real ffmpeg";
}
