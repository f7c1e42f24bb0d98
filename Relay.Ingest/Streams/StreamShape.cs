using System.Globalization;
using Relay.Ingest.Media;

namespace Relay.Ingest.Streams;

/// <summary>
/// What a slate must match for a switch to need no new decoder: H.264 at the source's size, frame rate and profile,
/// and AAC at its sample rate and channel count (no audio: <see cref="AudioSampleRate"/> is null).
/// </summary>
public sealed record StreamShape(int Width, int Height, double Fps, int AvcProfile, int? AudioSampleRate, int? AudioChannels)
{
    private static readonly int[] AacSampleRates = [96000, 88200, 64000, 48000, 44100, 32000, 24000, 22050, 16000, 12000, 11025, 8000, 7350];

    /// <summary>A stable name of the shape for cache files: <c>1280x720-30-p100-44100x2</c>.</summary>
    public string Key => string.Create(CultureInfo.InvariantCulture,
        $"{Width}x{Height}-{Fps:0.###}-p{AvcProfile}-{(AudioSampleRate is { } rate ? $"{rate}x{AudioChannels}" : "noaudio")}");

    /// <summary>
    /// The shape of a stream from its sequence headers (FLV tag bodies) and frame rate; null when the video is not plain
    /// H.264 or the audio is not AAC (the slate is encoded with libx264 and AAC only).
    /// </summary>
    public static StreamShape? TryRead(ReadOnlySpan<byte> videoHeader, ReadOnlySpan<byte> audioHeader, double fps)
    {
        if (!FlvCodecs.TryReadAvcDimensions(videoHeader, out var width, out var height) || width <= 0 || height <= 0 || videoHeader.Length < 7)
        {
            return null;
        }

        if (!(fps is > 0 and <= 240))
        {
            return null;
        }

        // AVCDecoderConfigurationRecord after the 5-byte FLV video header: version, then profile_idc.
        var profile = videoHeader[6];
        int? rate = null;
        int? channels = null;
        if (!audioHeader.IsEmpty)
        {
            // AAC sequence header: sound format 10, packet type 0, then the AudioSpecificConfig
            // (5 bits object type, 4 bits sampling index, 4 bits channel configuration).
            if (audioHeader.Length < 4 || audioHeader[0] >> 4 != 10 || audioHeader[1] != 0)
            {
                return null;
            }

            var config = (audioHeader[2] << 8) | audioHeader[3];
            var index = (config >> 7) & 0x0F;
            var channelConfig = (config >> 3) & 0x0F;
            if (index >= AacSampleRates.Length || channelConfig is < 1 or > 2)
            {
                return null;
            }

            rate = AacSampleRates[index];
            channels = channelConfig;
        }

        return new StreamShape(width, height, Math.Round(fps, 3), profile, rate, channels);
    }
}
