namespace Relay.Tests.Common.Media;

/// <summary>
/// Byte streams captured with a TCP tee between a real ffmpeg 5.1 publisher
/// (<c>ffmpeg -re -f lavfi -i testsrc2=size=320x180:rate=30 -f lavfi -i sine -t 2 -c:v libx264 -g 30 -c:a aac -f flv rtmp://.../live/secretkey</c>)
/// and a real ffmpeg listener (<c>-listen 1 -i rtmp://127.0.0.1:P/live/x</c>).
/// </summary>
internal static class Captures
{
    public const string PublishedKey = "secretkey";

    /// <summary>Client to server: C0, C1, C2, then the chunk stream (connect, createStream, publish, media).</summary>
    public static byte[] PublisherToServer => Load("ffmpeg-publish.c2s.bin");

    /// <summary>Server to client: S0, S1, S2, then the listener's responses.</summary>
    public static byte[] ServerToPublisher => Load("ffmpeg-listener.s2c.bin");

    /// <summary>
    /// veovera/enhanced-rtmp <c>e-rtmp-lab/assets/mptestsrc.flv</c> (Apache-2.0, https://github.com/veovera/enhanced-rtmp,
    /// LICENSE in that repository): an Enhanced RTMP FLV made by the spec's own lab, AV1 (FourCC av01, two
    /// SequenceStarts, a colorInfo Metadata packet) and Opus (ExAudioTagHeader), 30 fps, about 11 s. An outside producer's
    /// bytes, so the parser is not only checked against the tests' own builder.
    /// </summary>
    public static byte[] VeoveraAv1Opus => Load("veovera-mptestsrc.flv.bin");

    public static byte[] Load(string name) => File.ReadAllBytes(Path.Combine(AppContext.BaseDirectory, "Common", "Media", "Captures", name));
}
