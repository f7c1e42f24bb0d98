namespace Relay.Tests.Common.Media;

/// <summary>
/// Splits what ffmpeg writes as raw elementary streams into access units: Annex-B HEVC (x265 with <c>aud=1</c>, so
/// every access unit starts with an access unit delimiter) and AV1 low-overhead OBU streams (every temporal unit starts
/// with a temporal delimiter OBU).
/// </summary>
public static class ElementaryUnits
{
    public const int HevcVps = 32;
    public const int HevcSps = 33;
    public const int HevcPps = 34;
    public const int HevcAud = 35;

    /// <summary>The NAL units of an Annex-B stream, without start codes.</summary>
    public static List<byte[]> AnnexBNalUnits(byte[] stream)
    {
        var units = new List<byte[]>();
        var starts = new List<(int At, int CodeLength)>();
        for (var i = 0; i + 3 <= stream.Length; i++)
        {
            if (stream[i] == 0 && stream[i + 1] == 0 && stream[i + 2] == 1)
            {
                var four = i > 0 && stream[i - 1] == 0;
                starts.Add((four ? i - 1 : i, four ? 4 : 3));
                i += 2;
            }
        }

        for (var s = 0; s < starts.Count; s++)
        {
            var begin = starts[s].At + starts[s].CodeLength;
            var end = s + 1 < starts.Count ? starts[s + 1].At : stream.Length;
            units.Add(stream[begin..end]);
        }

        return units;
    }

    public static int HevcType(byte[] nal) => (nal[0] >> 1) & 0x3F;

    /// <summary>IDR_W_RADL, IDR_N_LP, CRA (and the other IRAP types 16-23): where a decoder can start.</summary>
    public static bool IsHevcKeyframe(IEnumerable<byte[]> accessUnit) => accessUnit.Any(n => HevcType(n) is >= 16 and <= 23);

    /// <summary>Access units of an x265 Annex-B stream with AUDs, parameter sets left in place.</summary>
    public static List<List<byte[]>> HevcAccessUnits(byte[] stream)
    {
        var units = new List<List<byte[]>>();
        foreach (var nal in AnnexBNalUnits(stream))
        {
            if (HevcType(nal) == HevcAud || units.Count == 0)
            {
                units.Add([]);
            }

            if (HevcType(nal) != HevcAud)
            {
                units[^1].Add(nal);
            }
        }

        return units.Where(u => u.Count > 0).ToList();
    }

    /// <summary>One OBU: its type and its bytes (header, size field and payload as written).</summary>
    public static List<(int Type, byte[] Bytes, int PayloadOffset)> Obus(byte[] stream)
    {
        var obus = new List<(int, byte[], int)>();
        var position = 0;
        while (position < stream.Length)
        {
            var header = stream[position];
            var type = (header >> 3) & 0x0F;
            var extension = (header & 0x04) != 0;
            var hasSize = (header & 0x02) != 0;
            var cursor = position + 1 + (extension ? 1 : 0);
            if (!hasSize) throw new InvalidDataException("OBU without size field");
            long size = 0;
            for (var shift = 0; ; shift += 7)
            {
                var b = stream[cursor++];
                size |= (long)(b & 0x7F) << shift;
                if ((b & 0x80) == 0) break;
            }

            var end = cursor + (int)size;
            obus.Add((type, stream[position..end], cursor - position));
            position = end;
        }

        return obus;
    }

    /// <summary>Temporal units of an AV1 OBU stream, each without its temporal delimiter (as FLV and MP4 carry them).</summary>
    public static List<List<(int Type, byte[] Bytes, int PayloadOffset)>> Av1TemporalUnits(byte[] stream)
    {
        var units = new List<List<(int, byte[], int)>>();
        foreach (var obu in Obus(stream))
        {
            if (obu.Type == 2)
            {
                units.Add([]);
                continue;
            }

            if (units.Count == 0) units.Add([]);
            units[^1].Add(obu);
        }

        return units.Where(u => u.Count > 0).ToList();
    }

    /// <summary>A key frame: the first frame (header) OBU says show_existing_frame = 0 and frame_type = KEY_FRAME.</summary>
    public static bool IsAv1Keyframe(List<(int Type, byte[] Bytes, int PayloadOffset)> unit)
    {
        foreach (var (type, bytes, offset) in unit)
        {
            if (type is 3 or 6)
            {
                var first = bytes[offset];
                return (first & 0x80) == 0 && ((first >> 5) & 0x03) == 0;
            }
        }

        return false;
    }
}
