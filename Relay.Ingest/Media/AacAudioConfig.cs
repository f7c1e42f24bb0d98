namespace Relay.Ingest.Media;

/// <summary>The sample rate and channels of an AAC AudioSpecificConfig (ISO/IEC 14496-3, 1.6.2.1).</summary>
internal readonly record struct AacAudioConfig(int SampleRate, int Channels)
{
    private static readonly int[] Rates = [96000, 88200, 64000, 48000, 44100, 32000, 24000, 22050, 16000, 12000, 11025, 8000, 7350];

    /// <summary>
    /// Reads the config; false when it is too short or names an explicit or reserved rate, or a channel layout other
    /// than 1-7 (encoders write a rate index for every standard rate, and mono or stereo).
    /// </summary>
    public static bool TryRead(ReadOnlySpan<byte> config, out AacAudioConfig result)
    {
        result = default;
        if (config.Length < 2) return false;
        var bits = (uint)(config[0] << 24 | config[1] << 16 | (config.Length > 2 ? config[2] << 8 : 0));
        var position = (bits >> 27) == 31 ? 11 : 5; // an escaped object type takes six more bits
        var rateIndex = (int)((bits << position) >> 28);
        if (rateIndex >= Rates.Length) return false;
        var channels = (int)((bits << (position + 4)) >> 28);
        if (channels is < 1 or > 7) return false;
        result = new AacAudioConfig(Rates[rateIndex], channels == 7 ? 8 : channels);
        return true;
    }
}
