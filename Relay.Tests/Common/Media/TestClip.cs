using Relay.Ingest.Media;

namespace Relay.Tests.Common.Media;

/// <summary>
/// A real ffmpeg-encoded H.264/AAC FLV clip (640x360, 30 fps, keyframe every 30 frames, 4 s), generated once per
/// test run and split into tags.
/// </summary>
public static class TestClip
{
    private static readonly Lazy<Task<IReadOnlyList<FlvTag>>> Frames = new(GenerateAsync);

    public static string Path { get; } = System.IO.Path.Combine(System.IO.Path.GetTempPath(), $"relay-egress-clip-{Environment.ProcessId}.flv");

    public static Task<IReadOnlyList<FlvTag>> LoadAsync()
    {
        Tools.RequireOrSkip("ffmpeg", "ffprobe");
        return Frames.Value;
    }

    private static async Task<IReadOnlyList<FlvTag>> GenerateAsync()
    {
        await Tools.RunAsync("ffmpeg", "-nostdin", "-y", "-loglevel", "error",
            "-f", "lavfi", "-i", "testsrc2=size=640x360:rate=30", "-f", "lavfi", "-i", "sine=frequency=440:sample_rate=44100",
            "-c:v", "libx264", "-preset", "ultrafast", "-tune", "zerolatency", "-g", "30", "-b:v", "1500k", "-pix_fmt", "yuv420p",
            "-c:a", "aac", "-b:a", "128k", "-t", "4", "-f", "flv", Path);
        return Parse(await File.ReadAllBytesAsync(Path));
    }

    /// <summary>Splits the clip into tags with the ingest's FLV reader.</summary>
    public static IReadOnlyList<FlvTag> Parse(byte[] flv)
    {
        var frames = new List<FlvTag>();
        var buffer = new System.Buffers.ReadOnlySequence<byte>(flv);
        Assert.Equal(FlvReadStatus.Read, FlvTagReader.TryReadFileHeader(ref buffer, out _));
        while (FlvTagReader.TryReadTag(ref buffer, FlvTagReader.DefaultMaxTagSize, out var tag, out var error) == FlvReadStatus.Read)
        {
            frames.Add(tag!);
        }

        return frames;
    }
}
