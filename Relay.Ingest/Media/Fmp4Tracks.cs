namespace Relay.Ingest.Media;

/// <summary>
/// What the init segment of a fragmented MP4 stream describes: an H.264 track (its AVCDecoderConfigurationRecord and
/// picture size) and/or an AAC track (its AudioSpecificConfig, rate and channels). Track 1 is video, track 2 audio.
/// </summary>
internal sealed record Fmp4Tracks(byte[]? AvcConfig, int Width, int Height, byte[]? AacConfig, AacAudioConfig Audio)
{
    public const int VideoTrackId = 1;
    public const int AudioTrackId = 2;
    public const int VideoTimescale = 90_000;

    public bool HasVideo => AvcConfig is not null;

    public bool HasAudio => AacConfig is not null;

    /// <summary>The RFC 6381 codecs string (<c>avc1.PPCCLL,mp4a.40.2</c>).</summary>
    public string Codecs
    {
        get
        {
            var parts = new List<string>(2);
            if (AvcConfig is { Length: >= 4 } avc) parts.Add($"avc1.{avc[1]:x2}{avc[2]:x2}{avc[3]:x2}");
            if (AacConfig is { Length: >= 1 } aac) parts.Add($"mp4a.40.{aac[0] >> 3}");
            return string.Join(',', parts);
        }
    }
}
