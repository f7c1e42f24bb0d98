namespace Relay.Ingest.Media;

/// <summary>
/// Fragmented MP4 (ISO/IEC 14496-12, CMAF-shaped) for low-latency HLS: the init segment (<c>ftyp</c> + <c>moov</c>
/// with empty sample tables and <c>mvex</c>) and media fragments (<c>moof</c> + <c>mdat</c>), one fragment per HLS
/// part. Only what HLS players read is written; times come from the FLV timestamps, never from a clock.
/// </summary>
internal static class Fmp4Writer
{
    private const uint KeyframeFlags = 0x02000000;      // sample_depends_on = 2 (an I-frame)
    private const uint NonKeyframeFlags = 0x01010000;   // sample_depends_on = 1, sample_is_non_sync_sample

    private static readonly uint[] Matrix = [0x00010000, 0, 0, 0, 0x00010000, 0, 0, 0, 0x40000000];

    public static byte[] InitSegment(Fmp4Tracks tracks)
    {
        var w = new Mp4BoxWriter();
        w.Begin("ftyp");
        w.FourCc("iso5");
        w.U32(512);
        w.FourCc("iso5");
        w.FourCc("iso6");
        w.FourCc("mp41");
        w.End();

        w.Begin("moov");
        w.BeginFull("mvhd", 0, 0);
        w.U32(0);
        w.U32(0);
        w.U32(1000);
        w.U32(0);
        w.U32(0x00010000);
        w.U16(0x0100);
        w.Zeros(10);
        foreach (var m in Matrix) w.U32(m);
        w.Zeros(24);
        w.U32(3);
        w.End();
        if (tracks.HasVideo) VideoTrack(w, tracks);
        if (tracks.HasAudio) AudioTrack(w, tracks);
        w.Begin("mvex");
        if (tracks.HasVideo) Trex(w, Fmp4Tracks.VideoTrackId);
        if (tracks.HasAudio) Trex(w, Fmp4Tracks.AudioTrackId);
        w.End();
        w.End();
        return w.ToArray();
    }

    /// <summary>One <c>moof</c> + <c>mdat</c> with the video samples (track 1) then the audio samples (track 2).</summary>
    public static byte[] Fragment(uint sequence, IReadOnlyList<Fmp4Sample> video, IReadOnlyList<Fmp4Sample> audio)
    {
        var dataSize = 0;
        foreach (var s in video) dataSize += s.Data.Length;
        foreach (var s in audio) dataSize += s.Data.Length;
        var w = new Mp4BoxWriter(dataSize + 256 + 16 * (video.Count + audio.Count));
        w.Begin("moof");
        w.BeginFull("mfhd", 0, 0);
        w.U32(sequence);
        w.End();
        var videoOffsetAt = video.Count > 0 ? Traf(w, Fmp4Tracks.VideoTrackId, video, withFlags: true) : -1;
        var audioOffsetAt = audio.Count > 0 ? Traf(w, Fmp4Tracks.AudioTrackId, audio, withFlags: false) : -1;
        w.End();
        var moofSize = w.Length;

        // Data offsets count from the moof's first byte (default-base-is-moof): past the moof and the mdat header.
        var videoBytes = 0;
        foreach (var s in video) videoBytes += s.Data.Length;
        if (videoOffsetAt >= 0) w.PatchU32(videoOffsetAt, (uint)(moofSize + 8));
        if (audioOffsetAt >= 0) w.PatchU32(audioOffsetAt, (uint)(moofSize + 8 + videoBytes));

        w.Begin("mdat");
        foreach (var s in video) w.Bytes(s.Data.Span);
        foreach (var s in audio) w.Bytes(s.Data.Span);
        w.End();
        return w.ToArray();
    }

    /// <returns>Where the trun's data offset is, to be patched.</returns>
    private static int Traf(Mp4BoxWriter w, int trackId, IReadOnlyList<Fmp4Sample> samples, bool withFlags)
    {
        w.Begin("traf");
        w.BeginFull("tfhd", 0, 0x020000); // default-base-is-moof
        w.U32((uint)trackId);
        w.End();
        w.BeginFull("tfdt", 1, 0);
        w.U64((ulong)Math.Max(0, samples[0].DecodeTime));
        w.End();
        // data-offset, sample-duration, sample-size, [sample-flags, sample-composition-time-offset]; version 1: signed offsets.
        var flags = 0x000001u | 0x000100u | 0x000200u | (withFlags ? 0x000400u | 0x000800u : 0u);
        w.BeginFull("trun", 1, flags);
        w.U32((uint)samples.Count);
        var offsetAt = w.Length;
        w.U32(0);
        foreach (var s in samples)
        {
            w.U32((uint)Math.Max(1, s.Duration));
            w.U32((uint)s.Data.Length);
            if (withFlags)
            {
                w.U32(s.Keyframe ? KeyframeFlags : NonKeyframeFlags);
                w.I32(s.CompositionOffset);
            }
        }
        w.End();
        w.End();
        return offsetAt;
    }

    private static void VideoTrack(Mp4BoxWriter w, Fmp4Tracks t)
    {
        w.Begin("trak");
        Tkhd(w, Fmp4Tracks.VideoTrackId, volume: 0, t.Width, t.Height);
        w.Begin("mdia");
        Mdhd(w, Fmp4Tracks.VideoTimescale);
        Hdlr(w, "vide", "VideoHandler");
        w.Begin("minf");
        w.BeginFull("vmhd", 0, 1);
        w.Zeros(8);
        w.End();
        Dinf(w);
        w.Begin("stbl");
        w.BeginFull("stsd", 0, 0);
        w.U32(1);
        w.Begin("avc1");
        w.Zeros(6);
        w.U16(1);       // data_reference_index
        w.Zeros(16);    // pre_defined, reserved, pre_defined[3]
        w.U16(t.Width);
        w.U16(t.Height);
        w.U32(0x00480000);
        w.U32(0x00480000);
        w.U32(0);
        w.U16(1);       // frame_count
        w.Zeros(32);    // compressorname
        w.U16(0x0018);
        w.U16(0xFFFF);  // pre_defined = -1
        w.Begin("avcC");
        w.Bytes(t.AvcConfig!);
        w.End();
        w.End();
        w.End();
        EmptyTables(w);
        w.End();
        w.End();
        w.End();
        w.End();
    }

    private static void AudioTrack(Mp4BoxWriter w, Fmp4Tracks t)
    {
        w.Begin("trak");
        Tkhd(w, Fmp4Tracks.AudioTrackId, volume: 0x0100, 0, 0);
        w.Begin("mdia");
        Mdhd(w, t.Audio.SampleRate);
        Hdlr(w, "soun", "SoundHandler");
        w.Begin("minf");
        w.BeginFull("smhd", 0, 0);
        w.U32(0);
        w.End();
        Dinf(w);
        w.Begin("stbl");
        w.BeginFull("stsd", 0, 0);
        w.U32(1);
        w.Begin("mp4a");
        w.Zeros(6);
        w.U16(1);
        w.Zeros(8);
        w.U16(t.Audio.Channels);
        w.U16(16);
        w.U32(0);
        w.U32((uint)(Math.Min(t.Audio.SampleRate, 65535) << 16));
        Esds(w, t.AacConfig!);
        w.End();
        w.End();
        EmptyTables(w);
        w.End();
        w.End();
        w.End();
        w.End();
    }

    private static void Esds(Mp4BoxWriter w, byte[] config)
    {
        w.BeginFull("esds", 0, 0);
        var decoderSpecific = 2 + config.Length;
        var decoderConfig = 2 + 13 + decoderSpecific;
        var esDescriptor = 3 + decoderConfig + 3;
        w.U8(0x03);
        w.U8((byte)esDescriptor);
        w.U16(0);       // ES_ID
        w.U8(0);        // flags
        w.U8(0x04);
        w.U8((byte)(13 + decoderSpecific));
        w.U8(0x40);     // objectTypeIndication: MPEG-4 audio
        w.U8(0x15);     // streamType audio << 2 | 1
        w.U24(0);       // bufferSizeDB
        w.U32(0);       // maxBitrate
        w.U32(0);       // avgBitrate
        w.U8(0x05);
        w.U8((byte)config.Length);
        w.Bytes(config);
        w.U8(0x06);     // SLConfigDescriptor
        w.U8(1);
        w.U8(0x02);
        w.End();
    }

    private static void Tkhd(Mp4BoxWriter w, int trackId, int volume, int width, int height)
    {
        w.BeginFull("tkhd", 0, 3); // enabled, in movie
        w.U32(0);
        w.U32(0);
        w.U32((uint)trackId);
        w.U32(0);
        w.U32(0);       // duration
        w.Zeros(8);
        w.U16(0);       // layer
        w.U16(0);       // alternate_group
        w.U16(volume);
        w.U16(0);
        foreach (var m in Matrix) w.U32(m);
        w.U32((uint)width << 16);
        w.U32((uint)height << 16);
        w.End();
    }

    private static void Mdhd(Mp4BoxWriter w, int timescale)
    {
        w.BeginFull("mdhd", 0, 0);
        w.U32(0);
        w.U32(0);
        w.U32((uint)timescale);
        w.U32(0);
        w.U16(0x55C4); // "und"
        w.U16(0);
        w.End();
    }

    private static void Hdlr(Mp4BoxWriter w, string handler, string name)
    {
        w.BeginFull("hdlr", 0, 0);
        w.U32(0);
        w.FourCc(handler);
        w.Zeros(12);
        w.Bytes(System.Text.Encoding.ASCII.GetBytes(name));
        w.U8(0);
        w.End();
    }

    private static void Dinf(Mp4BoxWriter w)
    {
        w.Begin("dinf");
        w.BeginFull("dref", 0, 0);
        w.U32(1);
        w.BeginFull("url ", 0, 1); // media in the same file
        w.End();
        w.End();
        w.End();
    }

    private static void EmptyTables(Mp4BoxWriter w)
    {
        foreach (var box in new[] { "stts", "stsc", "stco" })
        {
            w.BeginFull(box, 0, 0);
            w.U32(0);
            w.End();
        }

        w.BeginFull("stsz", 0, 0);
        w.U32(0);
        w.U32(0);
        w.End();
    }

    private static void Trex(Mp4BoxWriter w, int trackId)
    {
        w.BeginFull("trex", 0, 0);
        w.U32((uint)trackId);
        w.U32(1);
        w.U32(0);
        w.U32(0);
        w.U32(0);
        w.End();
    }
}
