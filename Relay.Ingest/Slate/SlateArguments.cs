using System.Globalization;
using Relay.Ingest.Streams;

namespace Relay.Ingest.Slate;

/// <summary>
/// The ffmpeg command that encodes one slate GOP in a stream's shape: H.264 at the source's size, frame rate and
/// profile, one keyframe and no B-frames (so every loop starts where a decoder can), AAC silence at its rate and
/// channels, written as FLV to stdout.
/// </summary>
internal static class SlateArguments
{
    /// <summary>Seconds of picture in one loop: one GOP, as short as platforms like a keyframe interval (2 s).</summary>
    public const double LoopSeconds = 2;

    /// <param name="image">A per-channel picture (PNG or JPEG), scaled and padded into the frame; null: the text.</param>
    /// <param name="textFile">The text to draw (UTF-8, lines); null with no image: a plain dark picture.</param>
    /// <param name="fontFile">A font that has the text's glyphs.</param>
    public static IReadOnlyList<string> For(StreamShape shape, string? image, string? textFile, string? fontFile)
    {
        var fps = shape.Fps.ToString("0.###", CultureInfo.InvariantCulture);
        var frames = FramesPerLoop(shape);
        var size = $"{shape.Width}x{shape.Height}";
        var args = new List<string>();
        string filter;
        if (image is not null)
        {
            args.AddRange(["-loop", "1", "-framerate", fps, "-i", image]);
            filter = $"scale={shape.Width}:{shape.Height}:force_original_aspect_ratio=decrease,pad={shape.Width}:{shape.Height}:(ow-iw)/2:(oh-ih)/2:color=black,format=yuv420p";
        }
        else
        {
            args.AddRange(["-f", "lavfi", "-i", $"color=c=0x1f2430:s={size}:r={fps}"]);
            filter = textFile is not null && fontFile is not null
                ? string.Create(CultureInfo.InvariantCulture,
                    $"drawtext=fontfile='{fontFile}':textfile='{textFile}':fontcolor=white:fontsize={Math.Max(12, shape.Height / 14)}:line_spacing={Math.Max(4, shape.Height / 30)}:x=(w-text_w)/2:y=(h-text_h)/2,format=yuv420p")
                : "format=yuv420p";
        }

        if (shape.AudioSampleRate is { } rate)
        {
            args.AddRange(["-f", "lavfi", "-i", string.Create(CultureInfo.InvariantCulture, $"anullsrc=r={rate}:cl={(shape.AudioChannels == 1 ? "mono" : "stereo")}")]);
        }

        args.AddRange(["-vf", filter, "-frames:v", frames.ToString(CultureInfo.InvariantCulture), "-r", fps]);
        args.AddRange(["-c:v", "libx264", "-preset", "veryfast", "-tune", "stillimage", "-profile:v", Profile(shape.AvcProfile), "-pix_fmt", "yuv420p"]);
        args.AddRange(["-g", $"{frames}", "-keyint_min", $"{frames}", "-sc_threshold", "0", "-bf", "0"]);
        if (shape.AudioSampleRate is { } sampleRate)
        {
            // A little more audio than picture: the loop keeps the audio frames that fall inside the picture's period.
            var seconds = (frames / shape.Fps + 0.2).ToString("0.###", CultureInfo.InvariantCulture);
            args.AddRange(["-t", seconds, "-c:a", "aac", "-b:a", "64k", "-ar", $"{sampleRate}", "-ac", $"{shape.AudioChannels}"]);
        }

        args.AddRange(["-f", "flv", "pipe:1"]);
        return args;
    }

    public static int FramesPerLoop(StreamShape shape) => Math.Max(1, (int)Math.Round(shape.Fps * LoopSeconds));

    /// <summary>libx264's name of an H.264 profile_idc; High for anything it cannot name (what most encoders send).</summary>
    public static string Profile(int profileIdc) => profileIdc switch
    {
        66 => "baseline",
        77 => "main",
        _ => "high",
    };
}
