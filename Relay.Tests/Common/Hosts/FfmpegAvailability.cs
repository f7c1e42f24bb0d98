namespace Relay.Tests.Common.Hosts;

internal static class FfmpegAvailability
{
    public static void SkipIfMissing() => Tools.RequireOrSkip("ffmpeg");
}
